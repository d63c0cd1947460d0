import { EventStore1764000000001 } from './0001-event-store';
import { LoopStates1764000000004 } from './0004-loop-states';
import { Audit1764000000007 } from './0007-audit';

/** Every migration, in order. Listed by hand so the same list works from ts (tests) and dist. */
export const migrations = [EventStore1764000000001, LoopStates1764000000004, Audit1764000000007];
