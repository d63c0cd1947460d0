import type { RecordedEvent } from '../event-store/envelope';
import type { EventStore } from '../event-store/event-store.port';
import { sqlOf } from '../event-store/unit-of-work';
import { keyId } from '../secrets/key-fingerprints';
import { CHAIN_VERSION, chainMac, GENESIS_HASH, KEY_ROTATION_ACTION, legacyChainHash, rotationEndorsement } from './audit-chain';
import type { PublishedHead } from './audit-chain-head';

export interface ChainProblem {
  readonly eventId: string;
  readonly position: string;
  readonly problem: string;
}

export interface ChainReport {
  readonly ok: boolean;
  /** Links walked. */
  readonly checked: number;
  /** Of them, unkeyed links from before ADR 0007: only a published head protects those against a rewrite. */
  readonly legacy: number;
  readonly problems: ChainProblem[];
}

export interface VerifyOptions {
  /** AUDIT_CHAIN_KEY first, then retired keys (AUDIT_CHAIN_PREVIOUS_KEYS). */
  readonly keys: readonly Buffer[];
  /** A head published earlier (log line audit.chain_head, /metrics): link `position` must still have that MAC. */
  readonly head?: PublishedHead;
  readonly batch?: number;
}

/** An audit event as stored: what its MAC covers. */
interface Link {
  position: string;
  event_id: string;
  stream_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown> & { occurredAt: string };
}

const linkOf = (e: RecordedEvent): Link => ({
  position: e.position.toString(),
  event_id: e.eventId,
  stream_id: e.streamId,
  type: e.type,
  data: e.data as Record<string, unknown>,
  metadata: e.metadata as Link['metadata'],
});

/**
 * Walks every audit event in append order and recomputes each link. An edited event (data or
 * metadata) fails its own MAC; a re-computed MAC without the key fails too; a removed event breaks
 * the link of the event after it; a removed tail no longer matches the chain head row; a history
 * rewritten as a whole (head row included) no longer matches a head published before. Unkeyed
 * (version 1) links are accepted only before the first keyed link, which must seal their count
 * (legacySeal): a rewrite into version-1 links, which needs no key, is named too. The links and
 * the head row are read in one snapshot, so an action recorded meanwhile is not a mismatch.
 * Links are read in position order, which is chain order: every link is appended under the head's
 * lock (commit order is not: a unit may take its transaction id before it waits for the lock).
 */
export async function verifyAuditChain(store: EventStore, options: VerifyOptions): Promise<ChainReport> {
  return store.atSnapshot(async (snap) => {
    const links: AsyncIterable<Link[]> = (async function* () {
      for await (const page of snap.scan({ types: ['OperatorActionRecorded'] }, { order: 'position', pageSize: options.batch ?? 5000, stored: true }))
        yield page.map(linkOf);
    })();
    const { rows: head } = await sqlOf(snap).query<{ last_event_id: string | null; last_hash: string; length: string }>(
      'SELECT last_event_id, last_hash, length FROM audit_chain_head WHERE id = 1',
    );
    return walk(links, head[0], options);
  });
}

async function walk(
  links: AsyncIterable<Link[]>,
  head: { last_event_id: string | null; last_hash: string } | undefined,
  options: VerifyOptions,
): Promise<ChainReport> {
  const keys = new Map(options.keys.map((k) => [keyId(k), k]));
  const problems: ChainProblem[] = [];
  const problem = (r: Link, text: string) => problems.push({ eventId: r.event_id, position: r.position, problem: text });
  let prev = GENESIS_HASH;
  let prevId: string | null = null;
  let checked = 0;
  let legacy = 0;
  let signer: string | null = null; // key id of the newest keyed link
  let headSeen = false;
  for await (const page of links) {
    for (const r of page) {
      checked++;
      const stored = r.data.hash as string | undefined;
      const link = r.data.prevHash as string | undefined;
      if (link !== prev) {
        problem(
          r,
          prevId
            ? `does not follow ${prevId}: an audit event between them was removed or altered`
            : 'does not follow the start of the chain: an earlier audit event was removed',
        );
      }
      const base = link ?? prev;
      if (r.data.chain === CHAIN_VERSION) {
        const id = String(r.data.keyId ?? '');
        const key = keys.get(id);
        if (!key) problem(r, `is signed with audit key ${id || '(none)'}, which this check was not given (AUDIT_CHAIN_KEY, AUDIT_CHAIN_PREVIOUS_KEYS)`);
        else if (stored !== chainMac(key, base, { eventId: r.event_id, streamId: r.stream_id, type: r.type, data: r.data, metadata: r.metadata })) {
          problem(r, 'content (data or metadata) does not match its MAC: the event was edited, or its MAC was recomputed without the key');
        }
        const seals = r.data.sealsLegacyLinks;
        if (signer === null && legacy > 0 && seals !== legacy)
          problem(
            r,
            `is the first keyed link but does not seal the ${legacy} unkeyed link(s) before it (it says ${seals ?? 'nothing'}): the chain was rewritten`,
          );
        else if (seals !== undefined && (signer !== null || legacy === 0))
          problem(r, `claims to seal ${String(seals)} unkeyed link(s) where there are none to seal`);
        if (r.data.action === KEY_ROTATION_ACTION) checkRotation(r, base, signer, id, keys, problem);
        else if (signer !== null && id !== signer) problem(r, `switches from audit key ${signer} to ${id} without a rotation link`);
        signer = id;
      } else {
        legacy++;
        if (signer !== null) problem(r, 'is an unkeyed (version 1) link after keyed ones: the chain was rewritten without the key');
        if (stored !== legacyChainHash(base, { eventId: r.event_id, streamId: r.stream_id, occurredAt: r.metadata.occurredAt, data: r.data })) {
          problem(r, 'content does not match its hash: the event was edited');
        }
      }
      if (options.head && BigInt(checked) === options.head.position) {
        headSeen = true;
        if (stored !== options.head.mac)
          problem(r, `is link ${checked} but does not match the head published as ${checked}:${options.head.mac}: the history up to it was rewritten`);
      }
      prev = stored ?? base;
      prevId = r.event_id;
    }
  }
  if (legacy > 0 && signer === null) {
    problems.push({
      eventId: prevId ?? '(none)',
      position: '-',
      problem: `${legacy} unkeyed link(s) and no keyed link sealing them: start opsledger once with AUDIT_CHAIN_KEY (it seals them at start), or the chain was rewritten without the key`,
    });
  }
  if (options.head && !headSeen) {
    problems.push({
      eventId: '(none)',
      position: '-',
      problem: `the chain has ${checked} link(s) but a head at link ${options.head.position} was published: audit events were removed`,
    });
  }
  if (head && head.last_hash !== prev) {
    problems.push({
      eventId: head.last_event_id ?? '(none)',
      position: '-',
      problem: `the chain ends at ${prevId ?? 'its start'} but its head is ${head.last_event_id}: the newest audit event(s) were removed`,
    });
  }
  return { ok: problems.length === 0, checked, legacy, problems };
}

/** A rotation link names the key before and after it, and the old key's endorsement of the new one. */
function checkRotation(
  r: Link,
  prevHash: string,
  signer: string | null,
  id: string,
  keys: Map<string, Buffer>,
  problem: (r: Link, text: string) => void,
): void {
  const d = (r.data.details ?? {}) as { previousKeyId?: string; newKeyId?: string; endorsement?: string };
  if (d.newKeyId !== id) problem(r, `is a key rotation to ${d.newKeyId ?? '(none)'} but is signed with ${id}`);
  if (signer !== null && d.previousKeyId !== signer)
    problem(r, `is a key rotation from ${d.previousKeyId ?? '(none)'} but the link before it is signed with ${signer}`);
  const old = d.previousKeyId ? keys.get(d.previousKeyId) : undefined;
  // Without the old key the links before it are reported already.
  if (old && d.endorsement !== rotationEndorsement(old, prevHash, id)) problem(r, `is a key rotation the old key ${d.previousKeyId} did not endorse`);
}
