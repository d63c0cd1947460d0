import type { Pool } from 'pg';
import type { ExpectedRevision } from '../envelope';
import { ExpectedVersionConflict } from '../expected-version-conflict.error';

/** One append as the group statement takes it (ids chosen, data serialised). */
export interface GroupMember {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly ids: readonly string[];
  readonly types: readonly string[];
  readonly versions: readonly number[];
  readonly data: readonly string[];
  readonly meta: readonly string[];
}

/** A stored (or, for an idempotent retry, found) event of a member, in revision order. */
export interface GroupRow {
  readonly position: string;
  readonly revision: string;
  readonly eventId: string;
  readonly tx: string;
  readonly recordedAt: Date;
}

export interface MemberOutcome {
  readonly rows: readonly GroupRow[];
  /** The events were stored already (a retry): nothing was written. */
  readonly replayed: boolean;
}

export interface AppendGroupOptions {
  /** Groups in flight at once (each holds one pooled connection while it runs). */
  readonly connections: number;
  /** Most appends in one group. */
  readonly maxMembers: number;
}

/** Some events of a batch are stored already and others are not: a retry that does not match what was stored. */
export class PartlyStoredBatch extends Error {
  override readonly name = 'PartlyStoredBatch';
  readonly code = 'OL422';
  constructor(readonly streamId: string) {
    super(`stream ${streamId}: some events of this batch are stored already, others are not`);
  }
}

const GROUP = {
  name: 'ol_append_group',
  text: 'SELECT * FROM ol_append_group($1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::uuid[], $7::text[], $8::int[], $9::jsonb[], $10::jsonb[])',
};

/** Appends of at least this many events go out at once, on a connection of their own. */
const SOLO_EVENTS = 16;

/**
 * A big append (SOLO_EVENTS or more), which goes out alone: one plain statement (no function,
 * no conflict handling), checked against the stream's head. When the check fails it answers the
 * head, and how many of the ids are stored already (a retry of a stored batch). A unique violation
 * means an event id is stored already or a concurrent writer took the revision: the statement
 * stored nothing (it was its own transaction), and the careful path answers (replay, conflict, or
 * a loose expectation's retry).
 */
const SOLO = {
  name: 'ol_append_solo',
  text: `/* ol_append_solo */
  WITH head AS (
    SELECT h.r, NOT (($2::text = 'no_stream' AND h.r <> -1) OR ($2::text = 'stream_exists' AND h.r = -1) OR ($2::text = 'exact' AND h.r <> $3::bigint)) AS fits
      FROM (SELECT coalesce((SELECT e.revision FROM events e WHERE e.stream_id = $1 ORDER BY e.revision DESC LIMIT 1), -1) AS r) h),
  ins AS (
    INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata)
    SELECT $1, head.r + u.ord, u.id, u.t, u.v, u.d, u.j
      FROM head, unnest($4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[]) WITH ORDINALITY AS u(id, t, v, d, j, ord)
     WHERE head.fits
    RETURNING events.position, events.revision, events.event_id, events.transaction_id::text AS tx, events.recorded_at)
  SELECT ins.position, ins.revision, ins.event_id, ins.tx, ins.recorded_at, NULL::bigint AS actual, NULL::bigint AS found FROM ins
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, head.r, (SELECT count(*) FROM events e WHERE e.event_id = ANY($4::uuid[])) FROM head WHERE NOT head.fits`,
};

interface Waiting {
  readonly member: GroupMember;
  resolve(outcome: MemberOutcome): void;
  reject(err: unknown): void;
}

interface Row {
  o_member: number;
  o_status: 'stored' | 'taken_back' | 'replayed' | 'partly_stored' | 'conflict';
  o_position: string;
  o_revision: string;
  o_event_id: string;
  o_tx: string;
  o_recorded_at: Date;
  o_actual: string | null;
}

/**
 * Group commit for appends made on the store's own connections. An append goes out at once when
 * a connection of the group's share is free; appends that arrive while every one is busy wait and
 * go out together, as one statement (migration 0013's ol_append_group) and one commit, when the
 * next one frees up. So a lone append waits for nothing, and a burst costs a few round trips and
 * WAL flushes instead of one each. A big append is a plain statement (SOLO); everything else, and
 * anything unusual, goes through ol_append_group. Every member keeps its own expected-revision check and gets its
 * own answer; a statement that fails as a whole (bad input in one member) is retried member by
 * member, so the member at fault fails alone.
 */
export class AppendGroups {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly pool: Pool,
    private readonly options: AppendGroupOptions,
  ) {}

  append(member: GroupMember): Promise<MemberOutcome> {
    return new Promise((resolve, reject) => {
      const w = { member, resolve, reject };
      // A big append is its own group: it fills a round trip by itself, and waiting for a
      // connection would only add its latency to the appends queued behind it.
      if (member.ids.length >= SOLO_EVENTS) return void this.send([w]);
      this.waiting.push(w);
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.connections && this.waiting.length) {
      const group = this.waiting.splice(0, this.options.maxMembers);
      this.inFlight++;
      void this.send(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(group: Waiting[]): Promise<void> {
    // A big append alone: the plain statement. Small ones go through ol_append_group even alone:
    // on a contended stream its conflict handling answers in one round trip where the plain
    // statement's unique violation would need a second.
    if (group.length === 1 && group[0].member.ids.length >= SOLO_EVENTS && (await this.solo(group[0]))) return;
    let rows: Row[];
    try {
      rows = await this.run(group.map((w) => w.member));
    } catch (err) {
      if (group.length === 1) return group[0].reject(err);
      // Nothing of the group was stored (one statement, its own transaction): each goes alone.
      await Promise.all(group.map((w) => this.send([w])));
      return;
    }
    const byMember = new Map<number, Row[]>();
    for (const r of rows) {
      const list = byMember.get(r.o_member);
      if (list) list.push(r);
      else byMember.set(r.o_member, [r]);
    }
    group.forEach((w, i) => {
      let mine = byMember.get(i + 1) ?? [];
      // Rows answered before a 'taken_back' were deleted again: only what follows it counts.
      const back = mine.findIndex((r) => r.o_status === 'taken_back');
      if (back >= 0) mine = mine.slice(back + 1);
      const status = mine[0]?.o_status;
      if (status === 'conflict') return w.reject(new ExpectedVersionConflict(w.member.streamId, w.member.expected, BigInt(mine[0].o_actual ?? '-1')));
      if (status === 'partly_stored') return w.reject(new PartlyStoredBatch(w.member.streamId));
      if (status !== 'stored' && status !== 'replayed') return w.reject(new Error(`ol_append_group answered nothing for the append to ${w.member.streamId}`));
      w.resolve({
        replayed: status === 'replayed',
        rows: mine.map((r) => ({ position: r.o_position, revision: r.o_revision, eventId: r.o_event_id, tx: r.o_tx, recordedAt: r.o_recorded_at })),
      });
    });
  }

  /** The plain statement for a big append alone: true when it answered, false when the careful path must. */
  private async solo(w: Waiting): Promise<boolean> {
    const m = w.member;
    let rows: { position: string; revision: string; event_id: string; tx: string; recorded_at: Date; actual: string | null; found: string | null }[];
    try {
      ({ rows } = await this.pool.query({
        ...SOLO,
        values: [
          m.streamId,
          typeof m.expected === 'bigint' ? 'exact' : m.expected,
          typeof m.expected === 'bigint' ? m.expected.toString() : null,
          m.ids,
          m.types,
          m.versions,
          m.data,
          m.meta,
        ],
      }));
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return false;
      w.reject(err);
      return true;
    }
    // The check failed: a conflict, unless the events are stored already (a retry: the careful path answers).
    if (rows.length === 1 && rows[0].actual !== null) {
      if (Number(rows[0].found) > 0) return false;
      w.reject(new ExpectedVersionConflict(m.streamId, m.expected, BigInt(rows[0].actual)));
      return true;
    }
    if (rows.length !== m.ids.length) return false;
    rows.sort((a, b) => Number(BigInt(a.revision) - BigInt(b.revision)));
    w.resolve({
      replayed: false,
      rows: rows.map((r) => ({ position: r.position, revision: r.revision, eventId: r.event_id, tx: r.tx, recordedAt: r.recorded_at })),
    });
    return true;
  }

  private async run(members: readonly GroupMember[]): Promise<Row[]> {
    const first: number[] = [];
    const count: number[] = [];
    let n = 1;
    for (const m of members) {
      first.push(n);
      count.push(m.ids.length);
      n += m.ids.length;
    }
    const { rows } = await this.pool.query<Row>({
      ...GROUP,
      values: [
        members.map((m) => m.streamId),
        members.map((m) => (typeof m.expected === 'bigint' ? 'exact' : m.expected)),
        members.map((m) => (typeof m.expected === 'bigint' ? m.expected.toString() : null)),
        first,
        count,
        members.flatMap((m) => m.ids),
        members.flatMap((m) => m.types),
        members.flatMap((m) => m.versions),
        members.flatMap((m) => m.data),
        members.flatMap((m) => m.meta),
      ],
    });
    return rows;
  }
}
