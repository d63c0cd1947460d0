import { HOLD_RULES } from './hold-topics';

/** Which panels (query keys' first part) an event of the log can change. */
const RULES: [RegExp, string[]][] = [
  [/^(Target|Poll|Breaker|DeadLetter)/, ['targets', 'target', 'scheduler-health', 'dead-letters']],
  [/^(Run|Job|Tick|Cron|Idempotency)/, ['jobs', 'job', 'runs', 'run', 'system']],
  [/^Worker/, ['system']],
  [/^OperatorActionRecorded$/, ['audit']],
  [/^Session/, ['sessions']],
  [/^Webhook/, ['webhooks']],
  [/^Flag/, ['flags']],
  [/^CachePurge/, ['caches']],
  [/^RateLimitOverride/, ['rate-limits']],
  [/^Loop(Paused|Resumed)$/, ['loop-pauses', 'system']],
];

export function topicsOf(type: string): string[] {
  const out = ['timeline', 'projections', 'migrations'];
  for (const [re, topics] of [...RULES, ...HOLD_RULES]) if (re.test(type)) out.push(...topics);
  return out;
}
