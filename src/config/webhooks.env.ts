import { ConfigError, EnvVar, int } from './env-var';
import { MIN_KEY_LENGTH } from './secrets.env';

/** A list of delays in milliseconds, e.g. "5000,300000" (tests use tens of milliseconds), or `none`. */
const msList = (name: string, def: number[], description: string): EnvVar<number[]> => ({
  name,
  description,
  defaultText: def.join(','),
  parse: (raw) => {
    if (raw === undefined || raw.trim() === '') return def;
    if (raw.trim() === 'none') return [];
    const parts = raw.split(',').map((p) => p.trim());
    if (parts.length > 20 || parts.some((p) => !/^\d{1,10}$/.test(p)))
      throw new ConfigError(name, `must be a comma-separated list of at most 20 delays in milliseconds (e.g. 5000,300000) or none, got "${raw}"`);
    return parts.map(Number);
  },
});

/** Outbound webhooks (docs/operations.md "Outbound webhooks and the failures inbox"). */
export const webhooksEnv = {
  retryScheduleMs: msList(
    'WEBHOOK_RETRY_SCHEDULE_MS',
    [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
    'Delays before each retry of a failed webhook delivery (5 s, 5 min, 30 min, 2 h, 5 h, 10 h by default); after the last one the delivery lands in the failures inbox. `none`: no retries.',
  ),
  timeoutMs: int('WEBHOOK_TIMEOUT_MS', 15_000, "Timeout of one webhook delivery attempt (connect, send and the receiver's answer).", { min: 10 }),
  maxConcurrency: int('WEBHOOK_MAX_CONCURRENCY', 4, 'Deliveries in flight at once per subscription unless the subscription sets its own maxConcurrency.', {
    min: 1,
    max: 100,
  }),
  pollMs: int('WEBHOOK_POLL_MS', 1_000, 'How often the webhook dispatcher looks for new events and due retries when no append wakes it.', { min: 10 }),
  batchSize: int('WEBHOOK_BATCH_SIZE', 200, 'Events the dispatcher reads from its checkpoint per step.', { min: 1, max: 10_000 }),
  snippetBytes: int('WEBHOOK_RESPONSE_SNIPPET_BYTES', 256, "Bytes of a failed answer's body kept (redacted) on its attempt event.", { min: 0, max: 2048 }),
  secretsKey: {
    name: 'WEBHOOK_SECRETS_KEY',
    description: `Server secret (${MIN_KEY_LENGTH}+ characters, the same in every process) that encrypts webhook signing secrets in the log (AES-256-GCM). Unset: a key derived from TOKEN_HASH_KEY; set it before rotating TOKEN_HASH_KEY (see docs/operations.md).`,
    defaultText: '(unset)',
    parse: (raw: string | undefined) => {
      if (raw === undefined || raw === '') return undefined;
      if (raw.length < MIN_KEY_LENGTH)
        throw new ConfigError(
          'WEBHOOK_SECRETS_KEY',
          `must be at least ${MIN_KEY_LENGTH} characters of random text (e.g. the output of "openssl rand -base64 32")`,
        );
      return raw;
    },
  } satisfies EnvVar<string | undefined>,
} as const;
