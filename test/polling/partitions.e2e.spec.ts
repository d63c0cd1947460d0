import { randomBytes } from 'node:crypto';
import { ensureBuilt, killAllMainProcesses, LogLine, MainProcess } from '../support/main-process';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import type { TargetEvent } from '../../src/polling/events/target.events';
import { nextDueMs } from '../../src/polling/next-due';
import { partitionOf } from '../../src/polling/scheduler/partition-of';
import { evolveTarget, TargetState } from '../../src/polling/target.state';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from './support';

const LEASE_MS = 3000;
const RENEW_MS = 300;
const INTERVAL_S = 1;
const TARGETS = 60;
/** Slack for a loaded machine: start-up of the loop, a load of the partition's targets, a slow commit. */
const SLACK_MS = 3000;

interface Row {
  readonly stream: string;
  readonly revision: string;
  readonly type: string;
  readonly data: Record<string, unknown> & { at: string; dueAt?: string };
  readonly instanceId: string | null;
}

/**
 * Three real worker processes (the built service, APP_MODE worker) share the poll partitions of one
 * database; one is killed with SIGKILL. Read back from the log: every target is polled by exactly
 * one process per due time, and no due time waits longer than a lease (plus one renew interval).
 */
describe('poll partitions across three worker processes, one killed (issue 13, docs/adr/0017)', () => {
  let db: TestDatabase;
  let s: FlakyServer;
  let api: TestApp;
  const workers: MainProcess[] = [];
  const lines = new Map<number, LogLine[]>();

  const held = async () =>
    (
      await db.pool.query<{ owner: string; n: number }>(
        `SELECT owner, count(*)::int AS n FROM poll_partitions WHERE owner IS NOT NULL AND lease_until > now() GROUP BY owner`,
      )
    ).rows;
  /** Partitions held by the worker with this pid (its owner id is host:pid:random). */
  const heldBy = async (pid: number) => (await held()).find((r) => r.owner.split(':')[1] === String(pid))?.n ?? 0;

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase(4);
    s = await startFlakyServer();
    const token = `olt_${randomBytes(24).toString('base64url')}`;
    api = await startTestApp({ ...FAST_POLLING_ENV, POLL_SCHEDULER_ENABLED: 'false', OPSLEDGER_ADMIN_TOKEN: token }, db);
    for (let i = 0; i < TARGETS; i++) {
      const res = await api.request('POST', '/api/targets', {
        body: { type: 'svc', name: `p${i}`, probe: { kind: 'http', url: `${s.base}/ok` }, intervalSeconds: INTERVAL_S, adaptive: false },
      });
      expect(res.status).toBe(201);
    }
    const env = {
      ...FAST_POLLING_ENV,
      POLL_DEFAULT_INTERVAL_SECONDS: String(INTERVAL_S),
      POLL_TIMEOUT_MS: '3000',
      POLL_LEASE_MS: String(LEASE_MS),
      POLL_LEASE_RENEW_MS: String(RENEW_MS),
      SCHEDULER_REPORT_MS: '500',
      DATABASE_URL: db.url,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: '5',
      OPSLEDGER_ADMIN_TOKEN: token,
      EGRESS_ALLOW: '127.0.0.1',
      APP_MODE: 'worker',
      WORKER_CONCURRENCY: '1',
      ALERT_EVAL_MS: '3600000',
    };
    for (let i = 0; i < 3; i++) {
      const got: LogLine[] = [];
      const w = new MainProcess(env, { compiled: true, keepChars: 20_000, onLine: (l) => String(l.event).startsWith('scheduler.') && got.push(l) });
      lines.set(w.pid, got);
      workers.push(w);
    }
  }, 120_000);

  afterAll(async () => {
    await killAllMainProcesses();
    await api?.close();
    await s?.close();
    await db?.drop();
  });

  it('each process takes a fair share; a killed one’s partitions are taken over within the lease; no due time polled twice or left beyond the lease', async () => {
    const output = () => workers.map((w) => `--- ${w.pid}\n${w.output.slice(-2000)}`).join('\n');
    await waitFor(
      'three processes each hold about a third of the 64 partitions',
      async () => {
        const rows = await held();
        return rows.length === 3 && rows.every((r) => r.n >= 19 && r.n <= 24) && rows.reduce((n, r) => n + r.n, 0) === 64;
      },
      60_000,
      100,
    ).catch((err) => {
      throw new Error(`${err.message}\n${output()}`);
    });
    // Polling under the three; each polls its own partitions' targets.
    const steadyAt = new Date();
    const pollers = async () =>
      (
        await db.pool.query<{ pid: string; n: number }>(
          `SELECT split_part(metadata->>'instanceId', ':', 2) AS pid, count(*)::int AS n FROM events
           WHERE type IN ('PollSucceeded', 'PollFailed') AND recorded_at > $1 GROUP BY 1`,
          [steadyAt],
        )
      ).rows;
    await waitFor('each of the three polls', async () => (await pollers()).length === 3, 15_000, 100).catch(async (err) => {
      throw new Error(`${err.message}: ${JSON.stringify({ pollers: await pollers(), held: await held(), pids: workers.map((w) => w.pid) })}\n${output()}`);
    });
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000));

    const victim = workers[1];
    const victimHeld = await heldBy(victim.pid);
    expect(victimHeld).toBeGreaterThan(0);
    const killedAt = Date.now();
    victim.kill('SIGKILL');
    await victim.exited;
    await waitFor(
      'the survivors hold all 64 partitions',
      async () => {
        const rows = await held();
        return rows.length === 2 && rows.reduce((n, r) => n + r.n, 0) === 64;
      },
      LEASE_MS + RENEW_MS + 10_000,
      50,
    );
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_MS + RENEW_MS + SLACK_MS);
    // Each survivor logged taking some of the victim's partitions, at a new term.
    await waitFor('each survivor logs taking some', async () =>
      [workers[0], workers[2]].every((w) => lines.get(w.pid)!.some((l) => l.event === 'scheduler.active' && Date.parse(String(l.time)) > killedAt)),
    );

    // Let every target come due a few more times under the survivors, then stop them (they let their leases go).
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_S * 1000));
    for (const w of [workers[0], workers[2]]) expect(await w.stop()).toEqual({ code: 0, signal: null });
    expect((await held()).length).toBe(0);

    const rows = (
      await db.pool.query<Row>(
        `SELECT stream_id AS stream, revision, type, data, metadata->>'instanceId' AS "instanceId" FROM events WHERE stream_id LIKE 'target-%' ORDER BY stream_id, revision`,
      )
    ).rows;
    const outcomes: (Row & { late: number })[] = [];
    const problems: string[] = [];
    const byStream = new Map<string, Row[]>();
    for (const r of rows) byStream.set(r.stream, [...(byStream.get(r.stream) ?? []), r]);
    expect(byStream.size).toBe(TARGETS);
    for (const [stream, list] of byStream) {
      const dues = new Set<string>();
      let state: TargetState | null = null;
      let last = 0;
      for (const e of list) {
        if (e.type === 'PollSucceeded' || e.type === 'PollFailed') {
          const { at, dueAt } = e.data as { at: string; dueAt: string };
          if (dues.has(dueAt)) problems.push(`${stream} polled twice for due time ${dueAt}`);
          dues.add(dueAt);
          // Each poll is the one the state before it scheduled (as the scheduler reads it): none skipped, none doubled.
          const expected = nextDueMs(state);
          if (expected !== Date.parse(dueAt))
            problems.push(`${stream}: a poll for due ${dueAt}, but the target was due ${expected && new Date(expected).toISOString()}`);
          const late = Date.parse(at) - Date.parse(dueAt);
          if (Date.parse(dueAt) > steadyAt.getTime() && late > LEASE_MS + RENEW_MS + SLACK_MS)
            problems.push(`${stream}: due ${dueAt} polled ${late} ms late by ${e.instanceId}`);
          if (e.instanceId?.split(':')[1] === String(victim.pid) && Date.parse(at) > killedAt)
            problems.push(`${stream}: a poll at ${at} by the killed process`);
          outcomes.push({ ...e, late });
          last = Date.parse(at);
        }
        state = evolveTarget(state, { type: e.type, data: e.data } as TargetEvent);
      }
      // Still polled after the takeover: nothing was left behind.
      if (last < killedAt + takeoverMs) problems.push(`${stream} (partition ${partitionOf(stream.slice(7), 64)}): not polled after the takeover`);
    }
    expect(problems).toEqual([]);
    // A target due while its owner lay dead waited for the takeover: the worst lateness shows it.
    const worst = Math.max(...outcomes.filter((o) => Date.parse(o.data.dueAt!) > steadyAt.getTime()).map((o) => o.late));
    process.stdout.write(
      `partitions: victim held ${victimHeld}, takeover ${takeoverMs} ms after the kill (lease ${LEASE_MS} + renew ${RENEW_MS}), ${outcomes.length} outcomes, worst lateness ${worst} ms\n`,
    );
  }, 120_000);
});
