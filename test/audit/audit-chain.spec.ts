import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { AuditRecorder } from '../../src/audit/audit-recorder';
import { systemOperator } from '../../src/audit/operator-context';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { systemClock } from '../../src/shared/clock';
import { verifyTestChain } from '../support/audit-chain';
import { TEST_KEY_BYTES, TEST_SERVER_KEYS } from '../support/server-keys';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const verify = (pool: TestDatabase['pool']) => verifyTestChain(pool);

const run = promisify(execFile);

describe('audit hash chain', () => {
  let db: TestDatabase;
  let recorder: AuditRecorder;
  let store: PostgresEventStore;
  const ids: string[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
    recorder = new AuditRecorder(store, systemClock, pino({ level: 'silent' }), TEST_KEY_BYTES);
    ids.length = 0;
    // Concurrent actions still form one linear chain.
    const metas = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        recorder.act(
          { ...systemOperator(`req-${i}`), actor: `op${i}` },
          { action: 'job.run', target: `job:j${i}`, reason: `reason ${i}` },
          {
            apply: async (unit) => (await unit.record('applied'), unit.metadata),
          },
        ),
      ),
    );
    const { rows } = await db.pool.query(`SELECT event_id FROM events WHERE type = 'OperatorActionRecorded' ORDER BY position`);
    ids.push(...rows.map((r) => r.event_id));
    expect(new Set(metas.map((m) => m.causationId))).toEqual(new Set(ids));
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  it('verifies an untouched chain', async () => {
    expect(await verify(db.pool)).toEqual({ ok: true, checked: 5, legacy: 0, problems: [] });
  });

  it('names an event whose content was edited in SQL', async () => {
    await db.pool.query(`UPDATE events SET data = jsonb_set(data, '{reason}', '"nothing to see"') WHERE event_id = $1`, [ids[2]]);
    const report = await verify(db.pool);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ eventId: ids[2], problem: expect.stringMatching(/edited/) })]);
  });

  it('names an event whose outcome was edited in SQL (the MAC covers the data as stored)', async () => {
    await db.pool.query(`UPDATE events SET data = jsonb_set(data, '{outcome}', '"duplicate"') WHERE event_id = $1`, [ids[1]]);
    const report = await verify(db.pool);
    expect(report.problems).toEqual([expect.objectContaining({ eventId: ids[1], problem: expect.stringMatching(/edited/) })]);
  });

  it('names the event after one that was removed', async () => {
    await db.pool.query(`DELETE FROM events WHERE event_id = $1`, [ids[1]]);
    const report = await verify(db.pool);
    expect(report.problems).toEqual([expect.objectContaining({ eventId: ids[2], problem: expect.stringMatching(new RegExp(`does not follow ${ids[0]}`)) })]);
  });

  it('notices a removed newest event through the chain head', async () => {
    await db.pool.query(`DELETE FROM events WHERE event_id = $1`, [ids[4]]);
    const report = await verify(db.pool);
    expect(report.problems).toEqual([expect.objectContaining({ eventId: ids[4], problem: expect.stringMatching(/newest audit event/) })]);
  });

  it('`npm run audit -- verify` exits 1 and names the edited event', async () => {
    await db.pool.query(`UPDATE events SET data = jsonb_set(data, '{actor}', '"mallory"') WHERE event_id = $1`, [ids[3]]);
    const root = path.resolve(__dirname, '../..');
    const err = await run('node', ['-r', 'ts-node/register/transpile-only', 'src/cli/audit.cli.ts', 'verify'], {
      cwd: root,
      env: { ...process.env, ...TEST_SERVER_KEYS, DATABASE_URL: db.url },
    }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stdout).toContain(`event ${ids[3]}`);
    expect(err.stdout).toMatch(/BROKEN/);
  }, 60_000);
});
