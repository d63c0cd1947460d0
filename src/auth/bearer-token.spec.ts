import { bearerToken } from './bearer-token';
import { secretsEqual } from './token-secret';

describe('bearer token header', () => {
  it.each([
    ['Bearer olt_abc', 'olt_abc'],
    ['bearer olt_abc', 'olt_abc'],
    ['BEARER   olt_abc  ', 'olt_abc'],
  ])('reads the token of %j', (header, token) => expect(bearerToken(header)).toBe(token));

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer two tokens', 'Bearerolt_abc'])('has none in %j', (header) =>
    expect(bearerToken(header)).toBeNull(),
  );
});

describe('secretsEqual', () => {
  it('compares secrets of any length', () => {
    expect(secretsEqual('s3cret-value', 's3cret-value')).toBe(true);
    expect(secretsEqual('s3cret-value', 's3cret-valuE')).toBe(false);
    expect(secretsEqual('s3cret', 's3cret-value')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
