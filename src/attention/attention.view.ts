import { rfc3339 } from '../shared/clock';
import { inScope } from '../access/tenant-scope';
import type { AttentionFacts } from './attention-facts';
import type { AttentionItem, AttentionReach, Severity } from './attention-item';
import type { AttentionSource } from './attention-source';
import { rankAttention } from './rank';
import { ATTENTION_KINDS, ATTENTION_SOURCES } from './sources';

export interface AttentionFilter {
  /** The caller's scope: a scoped token's tenant, or the `tenant` filter of an unscoped one (null: everything). */
  readonly scope: string | null;
  readonly kind?: string;
  readonly severity?: Severity;
  readonly limit: number;
}

/** Whether a caller limited to `scope` sees an item of a source with this reach. */
export const visibleTo = (scope: string | null, reach: AttentionReach, item: AttentionItem): boolean =>
  reach === 'shared' || (reach === 'installation' ? scope === null : inScope(scope, item.tenant));

/**
 * The body of GET /api/attention: every source's items the caller may see, narrowed by the
 * filters, most urgent first, at most `limit`. `counts` has every kind (zeros too) over the items
 * that pass the scope and `severity` (not `kind`, not `limit`: the tabs of an attention panel);
 * `total` is how many pass every filter (before `limit`). Live and `?at=` answers both come from here.
 */
export function attentionView(facts: AttentionFacts, f: AttentionFilter, sources: readonly AttentionSource[] = ATTENTION_SOURCES) {
  const seen = sources.flatMap((s) => s.items(facts).filter((i) => visibleTo(f.scope, s.reach, i)));
  const bySeverity = seen.filter((i) => !f.severity || i.severity === f.severity);
  const counts = Object.fromEntries(ATTENTION_KINDS.map((k) => [k, 0]));
  for (const i of bySeverity) counts[i.kind] = (counts[i.kind] ?? 0) + 1;
  const matching = bySeverity.filter((i) => !f.kind || i.kind === f.kind);
  return {
    checkedAt: rfc3339(facts.now),
    total: matching.length,
    counts,
    items: rankAttention(matching).slice(0, f.limit),
  };
}
export type AttentionBody = ReturnType<typeof attentionView>;
