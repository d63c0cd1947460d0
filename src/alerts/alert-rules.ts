import { AlertSignals } from './alert-signals';

export interface AlertThresholds {
  readonly healthDegradedForMs: number;
  readonly backlogThreshold: number;
  readonly backlogForMs: number;
  readonly oldestReadyAgeSeconds: number;
  readonly webhookFailuresThreshold: number;
  readonly authFailuresThreshold: number;
}

export interface RuleReading {
  readonly active: boolean;
  readonly value: number;
  readonly summary: string;
}

/** A rule's `severity` label in docker/prometheus/alerts.yml (the attention list ranks firing alerts by it). */
export type AlertSeverity = 'critical' | 'warning';

export interface AlertRule {
  readonly name: string;
  readonly description: string;
  /** As in docker/prometheus/alerts.yml; absent: warning. */
  readonly severity?: AlertSeverity;
  /** How long the condition must hold before the alert fires. */
  forMs(t: AlertThresholds): number;
  read(s: AlertSignals, t: AlertThresholds): RuleReading;
}

/** The seven baseline alerts. The same rules, as PromQL, are in docker/prometheus/alerts.yml. */
export const BASELINE_RULES: readonly AlertRule[] = [
  {
    name: 'health_degraded',
    description: 'App health degraded for more than 2 minutes',
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
    forMs: () => 0,
    read: (s, t) => {
      const age = s.queue.oldestReadyAgeSeconds ?? 0;
      return { active: age > t.oldestReadyAgeSeconds, value: age, summary: `oldest ready job has waited ${age} s (limit ${t.oldestReadyAgeSeconds} s)` };
    },
  },
  {
    name: 'dead_letter_nonzero',
    description: 'Dead-letter count is non-zero',
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
    forMs: () => 0,
    read: (s, t) => ({
      active: s.authFailures >= t.authFailuresThreshold,
      value: s.authFailures,
      summary: `${s.authFailures} failed authentications recently (threshold ${t.authFailuresThreshold})`,
    }),
  },
];

/** The severity of a rule by name (a rule no longer defined counts as a warning). */
export const alertSeverity = (rule: string): AlertSeverity => BASELINE_RULES.find((r) => r.name === rule)?.severity ?? 'warning';
