import { useLocation, useSearch } from 'wouter';

/**
 * Filters kept in the URL (a search can be bookmarked, shared and survives a reload): the values
 * of `names` in the query string, and a setter that replaces them and keeps every other parameter
 * (`?at=` among them). An empty value removes its parameter.
 */
export function useUrlParams<K extends string>(names: readonly K[]): [Record<K, string>, (next: Partial<Record<K, string>>) => void] {
  const search = useSearch();
  const [path, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const values = Object.fromEntries(names.map((n) => [n, params.get(n) ?? ''])) as Record<K, string>;
  const set = (next: Partial<Record<K, string>>) => {
    const p = new URLSearchParams(search);
    for (const [k, v] of Object.entries(next) as [K, string | undefined][]) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    const q = p.toString();
    navigate(q ? `${path}?${q}` : path, { replace: true });
  };
  return [values, set];
}
