import { ConfigError, EnvVar, int, str } from './env-var';

/** The baseline alerts; durations and thresholds overridable so tests run in seconds. */
export const alertsEnv = {
  evalMs: int('ALERT_EVAL_MS', 15_000, 'How often the alert rules are evaluated (by one process at a time).', { min: 10 }),
  healthDegradedForMs: int('ALERT_HEALTH_DEGRADED_FOR_MS', 120_000, 'Ops health not healthy for this long fires health_degraded.', { min: 0 }),
  backlogThreshold: int('ALERT_BACKLOG_THRESHOLD', 100, 'Pending jobs above this are a backlog.', { min: 0 }),
  backlogForMs: int('ALERT_BACKLOG_FOR_MS', 600_000, 'A backlog lasting this long fires queue_backlog.', { min: 0 }),
  oldestReadyAgeSeconds: int('ALERT_OLDEST_READY_AGE_SECONDS', 300, 'The oldest ready job waiting longer than this fires oldest_ready_age.', { min: 0 }),
  webhookFailuresThreshold: int(
    'ALERT_WEBHOOK_FAILURES_THRESHOLD',
    5,
    'Failed webhook deliveries within ALERT_SPIKE_WINDOW_MS that fire webhook_failures_spike.',
    { min: 1 },
  ),
  authFailuresThreshold: int('ALERT_AUTH_FAILURES_THRESHOLD', 20, 'Failed authentications within ALERT_SPIKE_WINDOW_MS that fire auth_failures_spike.', {
    min: 1,
  }),
  spikeWindowMs: int('ALERT_SPIKE_WINDOW_MS', 300_000, 'Window the spike alerts count over.', { min: 1000 }),
  webhookUrls: str(
    'ALERT_WEBHOOK_URLS',
    undefined,
    'Comma-separated URLs that receive each AlertFired/AlertResolved: each becomes a webhook subscription (source alert-config) at start-up, and one whose URL left the list is deleted (docs/operations.md, "Outbound webhooks").',
  ),
  webhookSecret: {
    name: 'ALERT_WEBHOOK_SECRET',
    description:
      'Standard Webhooks signing secret (whsec_ and base64) of the ALERT_WEBHOOK_URLS subscriptions, so their receivers can verify signatures; unset: a random one nobody sees.',
    defaultText: '(unset)',
    parse: (raw: string | undefined) => {
      if (raw === undefined || raw === '') return undefined;
      if (!/^whsec_(?:[A-Za-z0-9+/]{4}){4,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(raw)) {
        throw new ConfigError(
          'ALERT_WEBHOOK_SECRET',
          'must be a Standard Webhooks secret: "whsec_" followed by base64 of at least 12 bytes (e.g. "whsec_" and the output of "openssl rand -base64 32")',
        );
      }
      return raw;
    },
  } satisfies EnvVar<string | undefined>,
} as const;
