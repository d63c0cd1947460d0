import pino from 'pino';
import { hashedLockKey, LeaderLock, LeaderTerm } from '../../src/database/leader-lock';
import { createTestDatabase, TestDatabase } from '../support/test-database';

let db: TestDatabase;
const locks: LeaderLock[] = [];

beforeAll(async () => {
  db = await createTestDatabase(4);
});
afterEach(async () => {
  await Promise.all(locks.splice(0).map((l) => l.release()));
});
afterAll(async () => {
  await db.drop();
});

/** Waits for a fact, not for a time. */
async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The backend pids of the sessions that hold `key` now. */
async function holders(key: bigint): Promise<number[]> {
  const u = BigInt.asUintN(64, key);
  const { rows } = await db.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::bigint = $1 AND objid::bigint = $2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [(u >> 32n).toString(), (u & 0xffffffffn).toString()],
  );
  return rows.map((r) => r.pid);
}

function capturingLog() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  return { log, events: () => lines.map((l) => JSON.parse(l) as { event: string; lock: string; term: number }) };
}

const lock = (name: string, over: Partial<ConstructorParameters<typeof LeaderLock>[0]> = {}) => {
  const l = new LeaderLock({ databaseUrl: db.url, key: hashedLockKey(`test:${name}`), name, ...over });
  locks.push(l);
  return l;
};

describe('LeaderLock: one holder at a time, takeover when the holder dies, clean release, logged terms', () => {
  it('lets one process hold it while the other stands by; a clean release hands it over at the next try', async () => {
    const { log, events } = capturingLog();
    const a = lock('one', { log });
    const b = lock('one', { log });
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(await a.tryAcquire()).toBe(true); // already held: same term
    expect([a.held, b.held, a.term?.term, b.term]).toEqual([true, false, 1, null]);
    expect(await holders(a.key)).toHaveLength(1);

    await a.release();
    expect(a.held).toBe(false);
    expect(await holders(a.key)).toEqual([]);
    expect(await b.tryAcquire()).toBe(true);
    expect(events().map((e) => [e.event, e.lock, e.term])).toEqual([
      ['leader.acquired', 'one', 1],
      ['leader.released', 'one', 1],
      ['leader.acquired', 'one', 1],
    ]);
  });

  it('writes both lines of a term while the lock is held: after taking it, before the unlock', async () => {
    const seen: string[] = [];
    const l: LeaderLock = lock('inside', {
      onAcquired: (t) => void seen.push(`acquired#${t.term} held=${l.held}`),
      onReleasing: (t) => void seen.push(`releasing#${t.term} held=${l.held}`),
    });
    await l.tryAcquire();
    expect(await holders(l.key)).toHaveLength(1);
    await l.release();
    expect(await holders(l.key)).toEqual([]);
    expect(seen).toEqual(['acquired#1 held=true', 'releasing#1 held=true']);
  });

  it('a standby takes over when the holder connection dies; the old holder sees held turn false and starts a new term later', async () => {
    const { log, events } = capturingLog();
    const lost: LeaderTerm[] = [];
    const a = lock('takeover', { log, onLost: (t) => void lost.push(t) });
    const b = lock('takeover', { log });
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    const [pid] = await holders(a.key);
    await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await until('the holder notices', () => !a.held);
    expect(lost).toEqual([{ lock: 'takeover', term: 1 }]);
    await until('the standby takes over', () => b.tryAcquire());
    expect(await a.tryAcquire()).toBe(false);
    await b.release();
    expect(await a.tryAcquire()).toBe(true);
    expect(a.term).toEqual({ lock: 'takeover', term: 2 });
    // The lost term of A is closed (released) before its second term starts.
    expect(
      events()
        .filter((e) => e.lock === 'takeover')
        .map((e) => `${e.event}#${e.term}`),
    ).toEqual([
      'leader.acquired#1', // A
      'leader.acquired#1', // B
      'leader.released#1', // B
      'leader.released#1', // A, closing the lost term
      'leader.acquired#2', // A
    ]);
  });

  it('concurrent tries share one connection (no second session left holding the lock)', async () => {
    const l = lock('concurrent');
    const results = await Promise.all([l.tryAcquire(), l.tryAcquire(), l.tryAcquire()]);
    expect(results).toEqual([true, true, true]);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'opsledger-concurrent' AND datname = current_database()`,
    );
    expect(rows[0].n).toBe(1);
    await l.release();
    await until(
      'the session is gone',
      async () =>
        (
          await db.pool.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'opsledger-concurrent' AND datname = current_database()`,
          )
        ).rows[0].n === 0,
    );
  });

  it('a release during a try waits for it, then lets go of what it took', async () => {
    const l = lock('racing');
    const trying = l.tryAcquire();
    await l.release();
    expect(await trying).toBe(true);
    expect(l.held).toBe(false);
    expect(await holders(l.key)).toEqual([]);
  });

  it('a try while the database is unreachable throws and leaves nothing open', async () => {
    const l = new LeaderLock({ databaseUrl: db.url.replace(/\/[^/]+$/, '/no_such_database'), key: 1n, name: 'unreachable' });
    await expect(l.tryAcquire()).rejects.toThrow();
    expect(l.held).toBe(false);
    await l.release();
  });
});
