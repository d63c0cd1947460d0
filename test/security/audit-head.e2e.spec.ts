import { Writable } from 'node:stream';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { auditVerify } from './support';

class MemoryLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
  heads(): { position: string; mac: string; head: string }[] {
    return this.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.event === 'audit.chain_head');
  }
}

/** The chain head leaves the database (log line and /metrics), and `audit verify --head` checks against it. */
describe('audit chain head publication', () => {
  const log = new MemoryLog();
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ AUDIT_HEAD_PUBLISH_SECONDS: '1', LOG_LEVEL: 'info' }, undefined, { logDestination: log })));
  afterAll(async () => t.close());

  it('logs audit.chain_head every AUDIT_HEAD_PUBLISH_SECONDS and shows it on /metrics; verify accepts it', async () => {
    const r = await t.request('POST', '/api/auth/tokens', { body: { name: 'head-test', role: 'viewer', reason: 'move the head' } });
    expect(r.status).toBe(201);
    const { rows } = await t.db.pool.query(`SELECT length::text AS position, last_hash AS mac FROM audit_chain_head`);
    const current = rows[0] as { position: string; mac: string };
    const line = await waitFor('a published head at the current position', () => log.heads().find((h) => h.position === current.position), 10_000);
    expect(line).toMatchObject({ mac: current.mac, head: `${current.position}:${current.mac}` });
    // Published again on the interval, not only on change.
    await waitFor('a second publication of the same head', () => log.heads().filter((h) => h.position === current.position).length >= 2, 5000);

    const metrics = (await t.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(new RegExp(`^opsledger_audit_chain_position\\{service="opsledger"\\} ${current.position}$`, 'm'));
    expect(metrics).toMatch(
      new RegExp(`^opsledger_audit_chain_head_info\\{position="${current.position}",mac="${current.mac}",service="opsledger"\\} 1$`, 'm'),
    );

    const verified = await auditVerify(t.db.url, ['--head', line.head]);
    expect(verified.stdout).toMatch(new RegExp(`matching the published head ${current.position}`));
    expect(verified.code).toBe(0);
  }, 60_000);
});
