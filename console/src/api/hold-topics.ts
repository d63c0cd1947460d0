/** Which panels the pause, maintenance and freshness-objective events can change (added to topics.ts's rules). */
export const HOLD_RULES: [RegExp, string[]][] = [
  // JobPaused, TenantTargetsResumed, LoopPaused, TargetPaused, …: the pause list, and the tables that show holds.
  [/(Paused|Resumed)$/, ['pauses', 'jobs', 'job', 'targets', 'target']],
  [/^Maintenance/, ['maintenance', 'pauses', 'jobs', 'job', 'targets', 'target']],
  [/^(Poll|Target|Freshness)/, ['slo']],
];
