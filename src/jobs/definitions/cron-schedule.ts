import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';

/** Throws with the parser's message when the expression or time zone is invalid. */
export function validateCron(expr: string, timezone: string): void {
  // cron-parser accepts unknown zones lazily; resolve one date to surface the error now.
  new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  CronExpressionParser.parse(expr, { tz: timezone, strict: false }).next();
}

/** Ticks strictly after `from` and at or before `to`, oldest first, at most `limit` (the newest kept). */
export function ticksBetween(expr: string, timezone: string, from: Date, to: Date, limit = 1000): Date[] {
  const it = CronExpressionParser.parse(expr, { tz: timezone, currentDate: from });
  const out: Date[] = [];
  for (;;) {
    const next = it.next().toDate();
    if (next.getTime() > to.getTime()) break;
    out.push(next);
    if (out.length > limit) out.shift();
  }
  return out;
}

export function nextTick(expr: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(expr, { tz: timezone, currentDate: after }).next().toDate();
}

/** The most recent tick at or before `at` (null if none in the parser's range). */
export function previousTick(expr: string, timezone: string, at: Date): Date | null {
  try {
    return CronExpressionParser.parse(expr, { tz: timezone, currentDate: new Date(at.getTime() + 1) })
      .prev()
      .toDate();
  } catch {
    return null;
  }
}

/** "At 06:00 AM", "Every 2 seconds": what the inventory shows beside the raw expression. */
export function describeCron(expr: string): string {
  try {
    return cronstrue.toString(expr, { use24HourTimeFormat: false, verbose: false });
  } catch {
    return expr;
  }
}
