import type { Pool } from 'pg';
import { chainHash, GENESIS_HASH } from './audit-chain';

export interface ChainProblem {
  readonly eventId: string;
  readonly position: string;
  readonly problem: string;
}

export interface ChainReport {
  readonly ok: boolean;
  readonly checked: number;
  readonly problems: ChainProblem[];
}

/**
 * Walks every audit event in append order and recomputes each link. An edited event fails its own
 * hash; a removed one breaks the link of the event after it; a removed tail no longer matches the
 * chain head row.
 */
export async function verifyAuditChain(pool: Pool, batch = 5000): Promise<ChainReport> {
  const problems: ChainProblem[] = [];
  let prev = GENESIS_HASH;
  let prevId: string | null = null;
  let checked = 0;
  let after = '0';
  for (;;) {
    const { rows } = await pool.query<{ position: string; event_id: string; stream_id: string; data: Record<string, unknown>; metadata: { occurredAt: string } }>(
      `SELECT position, event_id, stream_id, data, metadata FROM events
        WHERE type = 'OperatorActionRecorded' AND position > $1 ORDER BY position LIMIT $2`,
      [after, batch],
    );
    for (const r of rows) {
      checked++;
      const stored = r.data.hash as string | undefined;
      const link = r.data.prevHash as string | undefined;
      if (link !== prev) {
        problems.push({
          eventId: r.event_id,
          position: r.position,
          problem: prevId ? `does not follow ${prevId}: an audit event between them was removed or altered` : 'does not follow the start of the chain: an earlier audit event was removed',
        });
      }
      const expected = chainHash(link ?? prev, { eventId: r.event_id, streamId: r.stream_id, occurredAt: r.metadata.occurredAt, data: r.data });
      if (stored !== expected) problems.push({ eventId: r.event_id, position: r.position, problem: 'content does not match its hash: the event was edited' });
      prev = stored ?? expected;
      prevId = r.event_id;
    }
    if (rows.length < batch) break;
    after = rows[rows.length - 1].position;
  }
  const { rows: head } = await pool.query<{ last_event_id: string | null; last_hash: string; length: string }>('SELECT last_event_id, last_hash, length FROM audit_chain_head WHERE id = 1');
  if (head[0] && head[0].last_hash !== prev) {
    problems.push({ eventId: head[0].last_event_id ?? '(none)', position: '-', problem: `the chain ends at ${prevId ?? 'its start'} but its head is ${head[0].last_event_id}: the newest audit event(s) were removed` });
  }
  return { ok: problems.length === 0, checked, problems };
}
