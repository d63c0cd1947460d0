import { errorSignature, normaliseError, runFailureText, SIGNATURE_INPUT_MAX, SIGNATURE_PATTERN, signRunFailure } from './error-signature';

/** Three variants of one error: one signature each row. */
const SAME: ReadonlyArray<readonly [string, readonly [string, string, string]]> = [
  [
    'ip, port and duration',
    ['connection refused 10.0.0.1:5432 after 3012 ms', 'connection refused 10.0.0.7:5433 after 15 ms', 'Connection refused 192.168.1.20:6543 after 120000 ms'],
  ],
  [
    'uuid',
    [
      'run 0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11 not found',
      'run 7D1A0000-1111-4222-8333-444455556666 not found',
      'run 00000000-0000-4000-8000-000000000000 not found',
    ],
  ],
  ['timestamps', ['lease expired at 2026-03-01T10:00:00Z', 'lease expired at 2026-11-25T13:45:12.345+01:00', 'lease expired at 2025-01-01 00:00']],
  [
    'time of day and http date',
    ['retry after Mon, 01 Jan 2024 10:00:00 GMT', 'retry after Fri, 31 Dec 2027 23:59:59 GMT', 'retry after Wed, 7 Jun 2023 08:00:01 GMT'],
  ],
  ['urls', ['GET https://api.example.com/v1/users/42?page=3 returned 502', 'GET http://10.1.2.3:8080/health returned 503', 'GET https://x.io/ returned 500']],
  ['quoted values', ['column "user_id" does not exist', 'column "tenant" does not exist', "column 'created_at' does not exist"]],
  [
    'hex and 0x',
    ['object 9f86d081884c7d65 missing (flags 0x1f)', 'object deadbeef00112233 missing (flags 0xFF)', 'object 0a1b2c3d4e5f6a7b8c9d missing (flags 0x0)'],
  ],
  ['opaque ids', ['request req_8fK2mX9pQ throttled', 'request req_Zz91aa00Q throttled', 'request req_123abc456 throttled']],
  ['paths', ['ENOENT: no such file /var/lib/app/data-1.json', 'ENOENT: no such file /tmp/x/y.json', 'ENOENT: no such file ./cache/abc.json']],
  ['host and port', ['cannot reach db-1.internal:5432', 'cannot reach db-2.internal:6432', 'cannot reach db-17.internal:5432']],
  ['ipv6', ['connect ECONNREFUSED [::1]:5432', 'connect ECONNREFUSED [fe80::1]:6000', 'connect ECONNREFUSED [2001:db8::8a2e:370:7334]:80']],
  [
    'poll messages by size',
    [
      'response is not JSON (status 200, text/html, 17 bytes)',
      'response is not JSON (status 200, text/html, 2048 bytes)',
      'response is not JSON (status 203, text/html, 0 bytes)',
    ],
  ],
  ['whitespace and case', ['Disk  FULL on   volume 3', 'disk full on volume 12', 'disk full\non volume 7']],
];

/** Two different errors: two signatures each row. */
const DIFFERENT: ReadonlyArray<readonly [string, readonly [string, string]]> = [
  ['refused vs timed out', ['connection refused 10.0.0.1:5432', 'connection timed out 10.0.0.1:5432']],
  ['different column error', ['column "x" does not exist', 'relation "x" does not exist']],
  ['5xx vs 4xx wording', ['503 service unavailable', '404 not found']],
  ['versions glued to words stay', ['unsupported cipher sha256', 'unsupported cipher sha1']],
  ['apostrophes are not quotes', ["can't open the lock file", "won't open the lock file"]],
  [
    'http vs json check',
    ['response is not JSON (status 200, text/html, 17 bytes)', 'json check failed: status is not "ok" (status 200, application/json, 17 bytes)'],
  ],
];

describe('error signatures', () => {
  it.each(SAME)('three variants of one error give one signature: %s', (_name, variants) => {
    const sigs = variants.map(errorSignature);
    expect(new Set(sigs).size).toBe(1);
    expect(sigs[0]).toMatch(SIGNATURE_PATTERN);
  });

  it.each(DIFFERENT)('two different errors give two signatures: %s', (_name, [a, b]) => {
    expect(errorSignature(a)).not.toBe(errorSignature(b));
  });

  it('normalises to readable placeholders', () => {
    expect(normaliseError('connection refused 10.0.0.1:5432 after 3012 ms')).toBe('connection refused <ip>:<port> after <n> ms');
    expect(normaliseError('GET https://api.example.com/v1/x returned 502 at 2026-03-01T10:00:00Z')).toBe('get <url> returned <n> at <ts>');
    expect(normaliseError('column "user_id" of run 0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11 in /srv/app/x.py')).toBe('column <q> of run <uuid> in <path>');
  });

  it('is stable: the same text always gives the same 16 hex characters', () => {
    expect(errorSignature('connection refused 10.0.0.1:5432 after 3012 ms')).toBe(errorSignature('connection refused 10.0.0.1:5432 after 3012 ms'));
    expect(errorSignature('')).toMatch(SIGNATURE_PATTERN);
  });

  it('reads only the head of a very long error, quickly', () => {
    const long = `boom ${'a1 '.repeat(200_000)}`;
    const started = Date.now();
    expect(errorSignature(long)).toBe(errorSignature(long.slice(0, SIGNATURE_INPUT_MAX) + ' tail that differs'));
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('has no catastrophic backtracking on adversarial input', () => {
    for (const s of ['a'.repeat(SIGNATURE_INPUT_MAX), '1:'.repeat(2000), '/a'.repeat(2000), '"'.repeat(4000), "x'".repeat(2000), '0'.repeat(4000) + 'g']) {
      const started = Date.now();
      errorSignature(s);
      expect(Date.now() - started).toBeLessThan(500);
    }
  });
});

describe('the text a failed run is signed by', () => {
  it('adds the last non-blank output line to a bare exit code or signal', () => {
    expect(runFailureText('exit code 1', 'starting\nconnection refused 10.0.0.1:5432 after 3012 ms\n\n')).toBe(
      'exit code 1: connection refused 10.0.0.1:5432 after 3012 ms',
    );
    expect(runFailureText('killed by SIGKILL', 'rows 1..100\r\nout of memory\r\n')).toBe('killed by SIGKILL: out of memory');
  });

  it('leaves any other error alone, and has none without an error', () => {
    expect(runFailureText('HTTP 502', 'upstream said no')).toBe('HTTP 502');
    expect(runFailureText('exit code 1', '')).toBe('exit code 1');
    expect(runFailureText(null, 'x')).toBeNull();
    expect(signRunFailure(null, null)).toBeNull();
  });

  it('groups command failures by what they printed, not by their exit code', () => {
    const a = signRunFailure('exit code 1', 'connection refused 10.0.0.1:5432 after 3012 ms\n')!;
    const b = signRunFailure('exit code 2', 'connection refused 10.0.0.9:5432 after 7 ms\n')!;
    const c = signRunFailure('exit code 1', 'disk full\n')!;
    expect(a.signature).toBe(b.signature);
    expect(a.signature).not.toBe(c.signature);
  });
});
