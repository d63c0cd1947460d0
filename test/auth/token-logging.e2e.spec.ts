import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { startTestApp, TestApp } from '../support/test-app';

/** Every log line the app writes, at the most verbose level, kept in memory. */
class MemoryLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  }
}

describe('tokens never reach the log', () => {
  const log = new MemoryLog();
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ LOG_LEVEL: 'trace' }, undefined, { logDestination: log })));
  afterAll(async () => t.close());

  it('issue, use, revoke, reuse, and a made-up token leave no token or hash in any log line', async () => {
    const issued = await t.request('POST', '/api/auth/tokens', { body: { name: 'logged', role: 'viewer', reason: 'log test' } });
    expect(issued.status).toBe(201);
    const token: string = issued.body.token;
    expect((await t.request('GET', '/api/auth/whoami', { token })).status).toBe(200);
    expect((await t.request('GET', `/api/auth/whoami?token=${token}`, { token })).status).toBe(200);
    expect((await t.request('GET', '/api/auth/tokens', { token })).status).toBe(403);
    expect((await t.request('DELETE', `/api/auth/tokens/${issued.body.tokenId}`, { body: { reason: 'done' } })).status).toBe(200);
    expect((await t.request('GET', '/api/auth/whoami', { token })).status).toBe(401);
    const madeUp = `olt_${'Q'.repeat(43)}`;
    expect((await t.request('GET', '/api/auth/whoami', { token: madeUp })).status).toBe(401);
    expect((await t.request('GET', '/api/auth/whoami', { token: null, headers: { authorization: `Token ${madeUp}` } })).status).toBe(401);

    // The log did record all of it, by name and reason...
    const lines = log.lines();
    const failed = lines.filter((l) => l.event === 'auth.failed').map((l) => l.reason);
    expect(failed).toEqual(['forbidden', 'revoked_token', 'unknown_token', 'malformed_header']);
    expect(lines.some((l) => l.event === 'audit.token.issue')).toBe(true);
    expect(lines.some((l) => l.event === 'audit.token.revoke')).toBe(true);
    expect(lines.filter((l) => l.event === 'http.request').length).toBeGreaterThanOrEqual(7);
    // ...and never a secret: not the issued token, the bootstrap token, a made-up one, nor their hashes.
    for (const secret of [token, t.adminToken, madeUp]) {
      expect(log.text).not.toContain(secret);
      expect(log.text).not.toContain(secret.slice(4, 24));
      expect(log.text).not.toContain(createHash('sha256').update(secret).digest('hex'));
    }
  });
});
