/**
 * `npm run test:unit`: the pure specs, in seconds: no global setup (no PostgreSQL), no servers.
 * Selected by where they live and how they are named, so a new spec lands on the right side:
 *   - every spec beside the code (src/, projections/): these must not need PostgreSQL or a server;
 *   - under test/, files named *.unit.spec.ts (everything else in test/ needs the database,
 *     servers or child processes and runs only under `npm test`).
 * A spec here that reaches for the database fails at once (TEST_DATABASE_BASE_URL is unset).
 */
const { globalSetup: _setup, globalTeardown: _teardown, testMatch: _match, ...base } = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/projections/**/*.spec.ts', '<rootDir>/test/**/*.unit.spec.ts'],
  setupFiles: ['<rootDir>/test/support/unit-setup.ts'],
  testTimeout: 10_000,
};
