// Unit specs get no database, even when the shell names one for `npm test`: a spec that needs
// PostgreSQL is not a unit spec (jest.unit.config.js), and fails here with a message saying so.
delete process.env.TEST_DATABASE_BASE_URL;
