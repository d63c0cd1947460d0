import { BadInput } from './errors';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An RFC 3339 instant from a query string, or a 400 naming the field: also for what Date parses
 * but PostgreSQL would refuse (years before 1 or after 9999) or what is no calendar date (02-30).
 */
export function parseInstant(field: string, raw: string): Date {
  const m = RFC3339.exec(raw);
  const at = m ? new Date(raw) : new Date(NaN);
  // Checked in UTC, as the instant is sent: 0001-01-01T00:00:00+01:00 is year 0 there, which PostgreSQL refuses.
  const year = Number.isNaN(at.getTime()) ? 0 : at.getUTCFullYear();
  const calendar = m !== null && !Number.isNaN(at.getTime()) && new Date(`${raw.slice(0, 10)}T00:00:00Z`).toISOString().slice(0, 10) === raw.slice(0, 10);
  if (!calendar || year < 1 || year > 9999) throw BadInput.field(field, 'must be an RFC 3339 timestamp between years 0001 and 9999, e.g. 2026-03-01T10:00:00Z');
  return at;
}

/** `from` (inclusive) and `to` (exclusive), each optional; `to` after `from` when both are given. */
export function parseWindow(q: { from?: string; to?: string }): { from?: Date; to?: Date } {
  const from = q.from === undefined ? undefined : parseInstant('from', q.from);
  const to = q.to === undefined ? undefined : parseInstant('to', q.to);
  if (from && to && to <= from) throw BadInput.field('to', 'must be after from');
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}
