import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { Logger } from 'pino';

/**
 * A 64-bit advisory-lock key from a name: the first 8 bytes of its sha256, so two names never share
 * a lock in practice.
 */
export function hashedLockKey(name: string): bigint {
  const hex = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

/** How pg_locks shows a bigint advisory key: high and low 32 bits as classid / objid (objsubid 1). */
export function lockKeyParts(key: bigint): { classid: number; objid: number } {
  const u = BigInt.asUintN(64, key);
  return { classid: Number(u >> 32n), objid: Number(u & 0xffffffffn) };
}

/** One term: from taking the lock to letting it go (or losing its connection). */
export interface LeaderTerm {
  readonly lock: string;
  /** 1 for this process's first term of this lock, then 2, … */
  readonly term: number;
}

export interface LeaderLockOptions {
  readonly databaseUrl: string;
  /** The advisory key (a constant, or hashedLockKey of a name). */
  readonly key: bigint | number;
  /** Names the lock in logs, and its connection as `opsledger-<name>` in pg_stat_activity. */
  readonly name: string;
  /** Writes the default term lines (`leader.acquired`, `leader.released`, `leader.lost`). */
  readonly log?: Logger;
  /** Right after the lock is taken: replaces the `leader.acquired` line. */
  readonly onAcquired?: (t: LeaderTerm) => void;
  /** In release(), before the unlock, while still held (unless lost): replaces `leader.released`. */
  readonly onReleasing?: (t: LeaderTerm) => void;
  /** The connection dropped while held (PostgreSQL let the lock go): replaces `leader.lost`. */
  readonly onLost?: (t: LeaderTerm) => void;
}

/**
 * "Exactly one process does this": a session advisory lock held on a dedicated connection (not a
 * pool's, so it lives exactly as long as that session). A standby calls tryAcquire() again and
 * again; when the holder dies its session ends, PostgreSQL lets the lock go and the next try
 * takes over. `held` turns false the moment the connection errors or ends, so a holder stops
 * writing at once. release() unlocks and closes the connection. Each term is bracketed by two log
 * lines written while the lock is held: after taking it, before letting it go.
 */
export class LeaderLock {
  private client: Client | null = null;
  private owned = false;
  /** The term in progress, from taking the lock until release() (it outlives a lost connection). */
  private current: LeaderTerm | null = null;
  private terms = 0;
  /** A try in flight: concurrent callers share it rather than open a second connection. */
  private trying: Promise<boolean> | null = null;
  readonly key: bigint;

  constructor(private readonly options: LeaderLockOptions) {
    this.key = BigInt(options.key);
  }

  get name(): string {
    return this.options.name;
  }

  get held(): boolean {
    return this.owned && this.client !== null;
  }

  /** The term this process holds now, or null. */
  get term(): LeaderTerm | null {
    return this.held ? this.current : null;
  }

  /**
   * True when this process holds the lock (now or already). The connection stays open between
   * tries. Throws when the database cannot be reached (the caller stays standby and tries later).
   */
  tryAcquire(): Promise<boolean> {
    if (this.held) return Promise.resolve(true);
    this.trying ??= this.acquire().finally(() => (this.trying = null));
    return this.trying;
  }

  private async acquire(): Promise<boolean> {
    if (this.current) await this.letGo(); // lost since: close that term first
    const c = this.client ?? (await this.connect());
    const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [this.key.toString()]);
    if (!rows[0].ok || this.client !== c) return false;
    this.owned = true;
    this.current = { lock: this.options.name, term: ++this.terms };
    if (this.options.onAcquired) this.options.onAcquired(this.current);
    else this.options.log?.info({ event: 'leader.acquired', ...this.current }, `took the ${this.options.name} lock`);
    return true;
  }

  private async connect(): Promise<Client> {
    const c = new Client({
      connectionString: this.options.databaseUrl,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      application_name: `opsledger-${this.options.name}`.slice(0, 63),
    });
    const lost = () => this.lost(c);
    c.on('error', lost);
    c.on('end', lost);
    try {
      await c.connect();
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    this.client = c;
    return c;
  }

  /** Ends the term (its closing line first, while still held), unlocks and closes the connection. */
  async release(): Promise<void> {
    await this.trying?.catch(() => false);
    await this.letGo();
  }

  private async letGo(): Promise<void> {
    const term = this.current;
    this.current = null;
    if (term) {
      if (this.options.onReleasing) this.options.onReleasing(term);
      else this.options.log?.info({ event: 'leader.released', ...term }, `let the ${this.options.name} lock go`);
    }
    const c = this.client;
    const owned = this.owned;
    this.client = null;
    this.owned = false;
    if (!c) return;
    if (owned) await c.query('SELECT pg_advisory_unlock($1::bigint)', [this.key.toString()]).catch(() => undefined);
    await c.end().catch(() => undefined);
  }

  private lost(c: Client): void {
    if (this.client !== c) return;
    this.client = null;
    const wasHeld = this.owned;
    this.owned = false;
    c.end().catch(() => undefined);
    if (wasHeld && this.current) {
      if (this.options.onLost) this.options.onLost(this.current);
      else this.options.log?.warn({ event: 'leader.lost', ...this.current }, `lost the ${this.options.name} lock (its connection dropped)`);
    }
  }
}
