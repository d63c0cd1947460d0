import { EventStore1764000000001 } from './0001-event-store';
import { LoopStates1764000000004 } from './0004-loop-states';

/** Every migration, in order. Listed by hand so the same list works from ts (tests) and dist. */
export const migrations = [EventStore1764000000001, LoopStates1764000000004];
