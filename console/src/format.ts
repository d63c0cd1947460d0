/** Times and durations as an operator reads them: relative for the glance, exact on hover and beside it. */

export function exact(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.round((Date.parse(iso) - now) / 1000);
  const a = Math.abs(s);
  const text =
    a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86_400 ? `${(a / 3600).toFixed(a < 36_000 ? 1 : 0)} h` : `${Math.round(a / 86_400)} d`;
  if (a < 2) return 'now';
  return s > 0 ? `in ${text}` : `${text} ago`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19) + 'Z';

/** Success-rate colours of the System Status page: green ≥ 99 %, neutral ≥ 90 %, red below. */
export function bandOf(rate: number | null): 'green' | 'neutral' | 'red' | 'none' {
  if (rate === null) return 'none';
  return rate >= 99 ? 'green' : rate >= 90 ? 'neutral' : 'red';
}
