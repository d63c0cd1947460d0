import { ConfigError, EnvVar, int, num, str } from './env-var';

/** A long and a short window in seconds (the multi-window burn-rate pair of the Google SRE workbook, "Alerting on SLOs"). */
const windowPair = (name: string, def: [number, number], description: string): EnvVar<readonly [number, number]> => ({
  name,
  description,
  defaultText: def.join(','),
  parse: (raw) => {
    if (raw === undefined || raw === '') return def;
    const parts = raw.split(',').map((p) => p.trim());
    const [long, short] = parts.map(Number);
    if (parts.length !== 2 || !parts.every((p) => /^\d+$/.test(p)) || !(short >= 60) || !(long > short) || long > 30 * 86_400)
      throw new ConfigError(name, `must be two whole numbers of seconds, the long window then a shorter one of at least 60 (e.g. 3600,300), got "${raw}"`);
    return [long, short];
  },
});

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
  sloFastBurnRate: num(
    'ALERT_SLO_FAST_BURN_RATE',
    14.4,
    'slo_fast_burn (page) fires when a freshness objective burns its error budget faster than this over both ALERT_SLO_FAST_BURN_WINDOWS_SECONDS (14.4 over 1 h: 2 % of a 30-day budget in an hour).',
    { min: 0.001 },
  ),
  sloFastBurnWindowsSeconds: windowPair('ALERT_SLO_FAST_BURN_WINDOWS_SECONDS', [3600, 300], 'Long and short window of slo_fast_burn (1 h and 5 m).'),
  sloSlowBurnRate: num(
    'ALERT_SLO_SLOW_BURN_RATE',
    6,
    'slo_slow_burn (ticket) fires when a freshness objective burns its error budget faster than this over both ALERT_SLO_SLOW_BURN_WINDOWS_SECONDS (6 over 6 h: 5 % of a 30-day budget).',
    { min: 0.001 },
  ),
  sloSlowBurnWindowsSeconds: windowPair('ALERT_SLO_SLOW_BURN_WINDOWS_SECONDS', [21_600, 1800], 'Long and short window of slo_slow_burn (6 h and 30 m).'),
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
