import { Decider, Decision, reject } from '../shared/decider';
import { CachePurgeEvent, PurgeMatch, PurgeOutcome } from './cache-purge.events';
import { describeMatch, matchesEverything } from './purge-slot';

/** The write model of one slot (cache + key or pattern): the purge running in it, if any. */
export interface PurgeSlotState {
  readonly active: {
    readonly purgeId: string;
    readonly lastBeatAt: string;
    readonly scanned: number;
    readonly removed: number;
    readonly cancelRequested: boolean;
  } | null;
  readonly known: readonly string[];
}
export const initialPurgeSlot: PurgeSlotState = { active: null, known: [] };

export interface StartPurge {
  readonly kind: 'start';
  readonly purgeId: string;
  readonly cache: string;
  readonly match: PurgeMatch;
  /** The explicit "yes, every key" a match-everything pattern needs. */
  readonly confirmAll: boolean;
  readonly reason: string;
  readonly actor: string;
  readonly now: Date;
  /** A running purge silent for this long has lost its process. */
  readonly staleMs: number;
}
export interface RecordProgress {
  readonly kind: 'progress';
  readonly purgeId: string;
  readonly cache: string;
  readonly scanned: number;
  readonly removed: number;
  readonly now: Date;
}
export interface RequestCancel {
  readonly kind: 'cancel';
  readonly purgeId: string;
  readonly cache: string;
  readonly reason: string;
  readonly actor: string;
  readonly now: Date;
}
export interface FinishPurge {
  readonly kind: 'finish';
  readonly purgeId: string;
  readonly cache: string;
  readonly outcome: Exclude<PurgeOutcome, 'abandoned'>;
  readonly scanned: number;
  readonly removed: number;
  readonly error: string | null;
  readonly now: Date;
}
export type PurgeCommand = StartPurge | RecordProgress | RequestCancel | FinishPurge;

export function evolvePurgeSlot(state: PurgeSlotState, e: CachePurgeEvent): PurgeSlotState {
  switch (e.type) {
    case 'CachePurgeStarted':
      return {
        active: { purgeId: e.data.purgeId, lastBeatAt: e.data.startedAt, scanned: 0, removed: 0, cancelRequested: false },
        known: [...state.known, e.data.purgeId],
      };
    case 'CachePurgeProgressed':
      return state.active?.purgeId === e.data.purgeId
        ? { ...state, active: { ...state.active, lastBeatAt: e.data.at, scanned: e.data.scanned, removed: e.data.removed } }
        : state;
    case 'CachePurgeCancelRequested':
      return state.active?.purgeId === e.data.purgeId ? { ...state, active: { ...state.active, cancelRequested: true } } : state;
    case 'CachePurgeFinished':
      return state.active?.purgeId === e.data.purgeId ? { ...state, active: null } : state;
  }
}

function decideStart(cmd: StartPurge, state: PurgeSlotState): Decision<CachePurgeEvent> {
  if ('pattern' in cmd.match && matchesEverything(cmd.match.pattern) && !cmd.confirmAll) {
    return reject('invalid', `must be true to purge pattern "${cmd.match.pattern}": it matches every key of the cache`, 'confirmAll');
  }
  const at = cmd.now.toISOString();
  const events: CachePurgeEvent[] = [];
  const a = state.active;
  if (a) {
    if (cmd.now.getTime() - Date.parse(a.lastBeatAt) < cmd.staleMs) {
      return reject(
        'conflict',
        `purge ${a.purgeId} of ${describeMatch(cmd.match)} in cache "${cmd.cache}" is running; wait for it or cancel it (POST /api/caches/${cmd.cache}/purges/${a.purgeId}/cancel)`,
      );
    }
    events.push({
      type: 'CachePurgeFinished',
      data: {
        purgeId: a.purgeId,
        cache: cmd.cache,
        outcome: 'abandoned',
        scanned: a.scanned,
        removed: a.removed,
        error: `no progress since ${a.lastBeatAt}: its process stopped`,
        finishedAt: at,
      },
    });
  }
  events.push({
    type: 'CachePurgeStarted',
    data: { purgeId: cmd.purgeId, cache: cmd.cache, match: cmd.match, reason: cmd.reason, startedBy: cmd.actor, startedAt: at },
  });
  return events;
}

/** The running purge `purgeId`, or why a step of it is refused. */
function running(state: PurgeSlotState, purgeId: string): Decision<never> | null {
  if (state.active?.purgeId === purgeId) return null;
  if (!state.known.includes(purgeId)) return reject('not_found', `no cache purge ${purgeId}`);
  return reject('conflict', `purge ${purgeId} has finished already`);
}

function decide(cmd: PurgeCommand, state: PurgeSlotState): Decision<CachePurgeEvent> {
  if (cmd.kind === 'start') return decideStart(cmd, state);
  const refused = running(state, cmd.purgeId);
  if (refused) return refused;
  const cache = cmd.cache;
  const at = cmd.now.toISOString();
  switch (cmd.kind) {
    case 'progress':
      return [{ type: 'CachePurgeProgressed', data: { purgeId: cmd.purgeId, cache, scanned: cmd.scanned, removed: cmd.removed, at } }];
    case 'cancel':
      if (state.active!.cancelRequested) return reject('conflict', `purge ${cmd.purgeId} is being cancelled already`);
      return [{ type: 'CachePurgeCancelRequested', data: { purgeId: cmd.purgeId, cache, reason: cmd.reason, requestedBy: cmd.actor, at } }];
    case 'finish':
      return [
        {
          type: 'CachePurgeFinished',
          data: { purgeId: cmd.purgeId, cache, outcome: cmd.outcome, scanned: cmd.scanned, removed: cmd.removed, error: cmd.error, finishedAt: at },
        },
      ];
  }
}

/** Starting (one per cache and key or pattern at a time), progress, cancel requests and the end of a purge. */
export const purgeDecider: Decider<PurgeSlotState, PurgeCommand, CachePurgeEvent> = { initialState: initialPurgeSlot, evolve: evolvePurgeSlot, decide };
