/**
 * Every spec: unit specs beside the code, integration and e2e tests in test/. One embedded
 * PostgreSQL (global setup) serves all. `npm run test:unit` (jest.unit.config.js) runs the pure ones.
 *
 * ts-jest only transpiles (tsconfig sets isolatedModules; diagnostics off): type errors
 * are caught by `tsc -p tsconfig.json --noEmit`, which `npm test` runs before jest and whose
 * `include` covers every spec and support file (src/, projections/, test/, migrations/, bench/).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/projections', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // A few dependencies ship ESM only (e.g. content-disposition under @fastify/static).
    '^.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
