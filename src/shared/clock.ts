/** Time as a dependency, so deciders and schedulers can be tested at any instant. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => new Date() };

/** RFC 3339 UTC without milliseconds, as the seeds print timestamps. */
export function rfc3339(d: Date | string | number | null | undefined): string | null {
  if (d === null || d === undefined) return null;
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
