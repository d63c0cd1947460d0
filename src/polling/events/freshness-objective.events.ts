import type { DomainEvent } from '../../event-store/envelope';
import type { FreshnessObjective } from './target-spec';

/** An operator set or changed a target's freshness objective (`previous`: the one it replaced, or null). */
export type FreshnessObjectiveSet = DomainEvent<
  'FreshnessObjectiveSet',
  { key: string; at: string; objective: FreshnessObjective; previous: FreshnessObjective | null }
>;
/** An operator removed a target's freshness objective. */
export type FreshnessObjectiveCleared = DomainEvent<'FreshnessObjectiveCleared', { key: string; at: string; previous: FreshnessObjective }>;
export type FreshnessObjectiveEvent = FreshnessObjectiveSet | FreshnessObjectiveCleared;
