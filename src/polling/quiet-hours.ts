import type { QuietHoursWindow } from '../config/polling.env';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in `tz`. */
export function localMinute(now: Date, tz: string): number {
  let f = formatters.get(tz);
  if (!f) formatters.set(tz, (f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = f.formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** Inside [start, end) local time; a window may wrap midnight (21:00-06:00). */
export function inQuietHours(now: Date, window: QuietHoursWindow | null, tz: string): boolean {
  if (!window) return false;
  const m = localMinute(now, tz);
  return window.startMinute < window.endMinute ? m >= window.startMinute && m < window.endMinute : m >= window.startMinute || m < window.endMinute;
}
