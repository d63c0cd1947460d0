import { durationLabel } from '../shared/duration-label';
import { AlertSignals, SloBurn } from './alert-signals';

export interface AlertThresholds {
  readonly healthDegradedForMs: number;
  readonly backlogThreshold: number;
  readonly backlogForMs: number;
  readonly oldestReadyAgeSeconds: number;
  readonly webhookFailuresThreshold: number;
  readonly authFailuresThreshold: number;
  readonly sloFastBurnRate: number;
  readonly sloFastBurnWindowsSeconds: readonly [number, number];
  readonly sloSlowBurnRate: number;
  readonly sloSlowBurnWindowsSeconds: readonly [number, number];
}

/** warning/critical as in docker/prometheus/alerts.yml; page/ticket: the SRE workbook's burn-rate pair (wake someone / fix it in working hours). */
export type AlertSeverity = 'warning' | 'critical' | 'page' | 'ticket';

export interface RuleReading {
  readonly active: boolean;
  readonly value: number;
  readonly summary: string;
}

export interface AlertRule {
  readonly name: string;
  readonly description: string;
  /** As its `severity` label in docker/prometheus/alerts.yml (the attention list ranks firing alerts by it). */
  readonly severity: AlertSeverity;
  /** How long the condition must hold before the alert fires. */
  forMs(t: AlertThresholds): number;
  read(s: AlertSignals, t: AlertThresholds): RuleReading;
}

/** The seven baseline alerts. The same rules, as PromQL, are in docker/prometheus/alerts.yml. */
export const BASELINE_RULES: readonly AlertRule[] = [
  {
    name: 'health_degraded',
    description: 'App health degraded for more than 2 minutes',
    severity: 'warning',
    forMs: (t) => t.healthDegradedForMs,
    read: (s) => ({
      active: s.health.status !== 'healthy',
      value: s.health.status === 'healthy' ? 0 : 1,
      summary: s.health.status === 'healthy' ? 'ops health is healthy' : `ops health is ${s.health.status}: ${s.health.issues.join('; ') || 'no detail'}`,
    }),
  },
  {
    name: 'queue_backlog',
    description: 'Queue backlog above normal for 10 minutes',
    severity: 'warning',
    forMs: (t) => t.backlogForMs,
    read: (s, t) => ({
      active: s.queue.pending > t.backlogThreshold,
      value: s.queue.pending,
      summary: `${s.queue.pending} jobs pending (normal is at most ${t.backlogThreshold})`,
    }),
  },
  {
    name: 'oldest_ready_age',
    description: 'Oldest ready job waiting more than 5 minutes',
    severity: 'warning',
    forMs: () => 0,
    read: (s, t) => {
      const age = s.queue.oldestReadyAgeSeconds ?? 0;
      return { active: age > t.oldestReadyAgeSeconds, value: age, summary: `oldest ready job has waited ${age} s (limit ${t.oldestReadyAgeSeconds} s)` };
    },
  },
  {
    name: 'dead_letter_nonzero',
    description: 'Dead-letter count is non-zero',
    severity: 'warning',
    forMs: () => 0,
    read: (s) => ({ active: s.queue.deadLetter > 0, value: s.queue.deadLetter, summary: `${s.queue.deadLetter} job run(s) dead-lettered` }),
  },
  {
    name: 'cron_failing',
    description: 'A cron job is failing or not running',
    severity: 'critical',
    forMs: () => 0,
    read: (s) => ({
      active: s.cronProblems.length > 0,
      value: s.cronProblems.length,
      summary: s.cronProblems.length ? s.cronProblems.join('; ') : 'every cron job ran and succeeded',
    }),
  },
  {
    name: 'webhook_failures_spike',
    description: 'Webhook delivery failures spike',
    severity: 'warning',
    forMs: () => 0,
    read: (s, t) => ({
      active: s.webhookFailures >= t.webhookFailuresThreshold,
      value: s.webhookFailures,
      summary: `${s.webhookFailures} webhook deliveries failed recently (threshold ${t.webhookFailuresThreshold})`,
    }),
  },
  {
    name: 'auth_failures_spike',
    description: 'Admin auth failures spike',
    severity: 'warning',
    forMs: () => 0,
    read: (s, t) => ({
      active: s.authFailures >= t.authFailuresThreshold,
      value: s.authFailures,
      summary: `${s.authFailures} failed authentications recently (threshold ${t.authFailuresThreshold})`,
    }),
  },
];

const burnSummary = (burning: readonly SloBurn[], pick: (b: SloBurn) => readonly [number, number], windows: readonly [number, number], rate: number) =>
  burning.length
    ? burning
        .map(
          (b) =>
            `${b.target} burns ${pick(b)[0].toFixed(1)}× over ${durationLabel(windows[0])} and ${pick(b)[1].toFixed(1)}× over ${durationLabel(windows[1])}`,
        )
        .join('; ') + ` (limit ${rate}×; GET /api/slo)`
    : `no freshness objective burns faster than ${rate}× over ${durationLabel(windows[0])} and ${durationLabel(windows[1])}`;

/**
 * The multi-window burn-rate pair of the Google SRE workbook ("Alerting on SLOs"): a rule is active
 * while some target's freshness objective burns faster than the rate over both its long window (it
 * is a real trend) and its short one (it is still going on: the alert resolves minutes after it stops).
 */
export const SLO_BURN_RULES: readonly AlertRule[] = [
  {
    name: 'slo_fast_burn',
    description: 'A freshness objective burns its error budget fast (over 1 h and 5 m by default): page',
    severity: 'page',
    forMs: () => 0,
    read: (s, t) => {
      const burning = s.sloBurn.filter((b) => b.fast[0] > t.sloFastBurnRate && b.fast[1] > t.sloFastBurnRate);
      return {
        active: burning.length > 0,
        value: burning.length,
        summary: burnSummary(burning, (b) => b.fast, t.sloFastBurnWindowsSeconds, t.sloFastBurnRate),
      };
    },
  },
  {
    name: 'slo_slow_burn',
    description: 'A freshness objective burns its error budget steadily (over 6 h and 30 m by default): ticket',
    severity: 'ticket',
    forMs: () => 0,
    read: (s, t) => {
      const burning = s.sloBurn.filter((b) => b.slow[0] > t.sloSlowBurnRate && b.slow[1] > t.sloSlowBurnRate);
      return {
        active: burning.length > 0,
        value: burning.length,
        summary: burnSummary(burning, (b) => b.slow, t.sloSlowBurnWindowsSeconds, t.sloSlowBurnRate),
      };
    },
  },
];

/** Every rule the evaluator runs and GET /api/alerts lists. */
export const ALERT_RULES: readonly AlertRule[] = [...BASELINE_RULES, ...SLO_BURN_RULES];

/** The attention list's severity of a rule's alerts: critical and page are critical, the rest warnings (so is a rule no longer defined). */
export const alertSeverity = (rule: string): 'critical' | 'warning' => {
  const severity = ALERT_RULES.find((r) => r.name === rule)?.severity;
  return severity === 'critical' || severity === 'page' ? 'critical' : 'warning';
};
