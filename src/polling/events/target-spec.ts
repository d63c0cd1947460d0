/** What a target is: how to reach it and how often. The same shape comes from the API and the config file. */
export interface JsonCheck {
  /** Dot path into the JSON body, e.g. "status" or "checks.0.ok". */
  readonly path: string;
  readonly equals: unknown;
}

export interface ProbeSpec {
  readonly kind: string;
  readonly url: string;
  readonly method?: string;
  /** Unset = any 2xx. */
  readonly expectStatus?: number;
  readonly timeoutMs?: number;
  readonly jsonCheck?: JsonCheck;
}

/** The rolling windows a freshness objective may be judged over. */
export const FRESHNESS_WINDOWS = ['7d', '30d'] as const;
export type FreshnessWindow = (typeof FRESHNESS_WINDOWS)[number];
export const windowMs = (w: FreshnessWindow): number => (w === '7d' ? 7 : 30) * 86_400_000;

/**
 * "A successful poll at most `maxAgeSeconds` old, for `objective` % of the time over the rolling
 * `window`" (docs/operations.md, "Freshness objectives").
 */
export interface FreshnessObjective {
  /** Percent of the eligible time the target must be fresh, in (0, 100), e.g. 99.5. */
  readonly objective: number;
  readonly maxAgeSeconds: number;
  readonly window: FreshnessWindow;
}

export interface TargetSpec {
  readonly type: string;
  readonly name: string;
  readonly displayName?: string;
  readonly probe: ProbeSpec;
  readonly intervalSeconds?: number;
  readonly adaptive?: boolean;
  /** Tenant that owns the target: a tenant-scoped token sees and acts on only its own (absent = no tenant). */
  readonly tenant?: string;
  /** Freshness objective (src/slo); absent = none. */
  readonly freshness?: FreshnessObjective;
}

export type TargetSource = 'api' | 'config';

export const targetKey = (type: string, name: string) => `${type}::${name}`;
export const targetStream = (key: string) => `target-${key}`;
export const keyOfStream = (streamId: string) => (streamId.startsWith('target-') ? streamId.slice('target-'.length) : null);

/** Canonical JSON of a spec (sorted keys, no undefined) so config reconcile can tell "changed" from "same". */
export function canonicalSpec(spec: TargetSpec): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(spec));
}
