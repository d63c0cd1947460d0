import { rfc3339 } from '../shared/clock';
import type { AttentionFacts } from './attention-facts';
import type { AttentionItem, AttentionReach } from './attention-item';

/**
 * One attention source: a pure function from the read-model state to the items it sees. A new
 * source is one file in sources/ and one line in sources/index.ts (plus, when it needs a read
 * model the facts do not hold yet, one field in AttentionFacts filled by AttentionReader).
 */
export interface AttentionSource {
  readonly name: string;
  /** The kinds its items carry (the `kind` filter accepts the union over every source). */
  readonly kinds: readonly string[];
  readonly reach: AttentionReach;
  items(facts: AttentionFacts): AttentionItem[];
}

/** "5m", "2h", "3d": how long ago, for summaries. */
export const ago = (ms: number) =>
  ms < 60_000
    ? `${Math.round(ms / 1000)}s`
    : ms < 3_600_000
      ? `${Math.round(ms / 60_000)}m`
      : ms < 172_800_000
        ? `${Math.round(ms / 3_600_000)}h`
        : `${Math.round(ms / 86_400_000)}d`;

/** RFC 3339 without milliseconds, as every other body prints instants (one format in every item's `since`). */
export const iso = (t: string | Date | number) => rfc3339(t)!;

/** One line: the first line of `text`, cut to `max` characters. */
export const oneLine = (text: string, max = 120) => {
  const line = text.split('\n', 1)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** The drill-in path of a target (`type::name`: both parts are URL-safe names, the colons are path characters). */
export const targetHref = (key: string) => `/api/targets/${key.split('::').map(encodeURIComponent).join('::')}`;
