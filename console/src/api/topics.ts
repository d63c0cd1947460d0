import { HOLD_RULES } from './hold-topics';

/** Which panels (query keys' first part) an event of the log can change. */
const RULES: [RegExp, string[]][] = [
  [/^(Run|Poll)/, ['failures']],
  [/^(Target|Poll|Breaker|DeadLetter)/, ['targets', 'target', 'scheduler-health', 'dead-letters']],
  [/^(Run|Job|Tick|Cron|Idempotency)/, ['jobs', 'job', 'runs', 'run', 'system']],
  [/^Worker/, ['system']],
  [/^OperatorActionRecorded$/, ['audit']],
  [/^Session/, ['sessions']],
  [/^Webhook/, ['webhooks']],
  [/^Flag/, ['flags']],
  [/^CachePurge/, ['caches']],
  [/^RateLimitOverride/, ['rate-limits']],
  [/^Loop(Paused|Resumed)$/, ['system']],
];

export function topicsOf(type: string): string[] {
  // The attention list reads nearly every read model (targets, runs, loops, pauses, webhooks, alerts).
  const out = ['timeline', 'projections', 'migrations', 'attention'];
  for (const [re, topics] of [...RULES, ...HOLD_RULES]) if (re.test(type)) out.push(...topics);
  return out;
}
