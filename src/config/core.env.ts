import ipaddr from 'ipaddr.js';
import { bool, ConfigError, EnvVar, int, oneOf, requiredStr, str } from './env-var';

export const APP_MODES = ['all', 'server', 'worker'] as const;
export type AppMode = (typeof APP_MODES)[number];

/** Names @fastify/proxy-addr (behind Fastify's trustProxy) understands besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Comma-separated CIDRs or addresses, validated with ipaddr.js; empty = trust no proxy. */
const proxyList = (name: string, description: string): EnvVar<string[]> => ({
  name,
  description,
  defaultText: '(empty)',
  parse: (raw) => {
    const parts = (raw ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    for (const p of parts) {
      if (!PROXY_RANGE_NAMES.includes(p) && !ipaddr.isValid(p) && !ipaddr.isValidCIDR(p)) {
        throw new ConfigError(
          name,
          `must be a comma-separated list of CIDRs or addresses (e.g. 10.0.0.0/8,127.0.0.1/32; also ${PROXY_RANGE_NAMES.join(', ')}), got "${p}"`,
        );
      }
    }
    return parts;
  },
});

/** Process, storage, HTTP and security settings every mode reads. */
export const coreEnv = {
  port: int('PORT', 3000, 'HTTP port of the API.', { min: 0, max: 65535 }),
  host: requiredStr('HOST', '0.0.0.0', 'Address the HTTP server binds to.'),
  trustedProxies: proxyList(
    'TRUSTED_PROXIES',
    'Reverse proxies (comma-separated CIDRs or addresses) whose X-Forwarded-For / X-Forwarded-Proto are believed. The client address (audit log, rate limits, address overrides) is the peer address unless the peer is listed here.',
  ),
  appMode: oneOf('APP_MODE', APP_MODES, 'all', 'What this process runs: API + projections (server), poll scheduler + job workers (worker), or both (all).'),
  nodeEnv: requiredStr('NODE_ENV', 'development', 'production makes /api/ops/health closed unless OPS_TOKEN is set.'),
  logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info', 'pino log level.'),
  databaseUrl: str('DATABASE_URL', undefined, 'External PostgreSQL; when unset an embedded PostgreSQL is started.'),
  dataDir: requiredStr('OPSLEDGER_DATA_DIR', './.data', 'Where the embedded PostgreSQL keeps its files.'),
  embeddedPgPort: int('EMBEDDED_PG_PORT', 54329, 'Port of the embedded PostgreSQL.', { min: 1, max: 65535 }),
  dbPoolSize: int('DB_POOL_SIZE', 20, 'Maximum PostgreSQL connections of this process.', { min: 2, max: 500 }),
  adminToken: str('OPSLEDGER_ADMIN_TOKEN', undefined, 'Bootstraps an admin bearer token named "bootstrap-admin" (stored hashed).'),
  configFile: str('OPSLEDGER_CONFIG', undefined, 'Path of the JSON or YAML file with targets and jobs.'),
  bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 'Largest accepted request body.', { min: 1024 }),
  dbUnavailableRetryAfterSeconds: int('DB_UNAVAILABLE_RETRY_AFTER_SECONDS', 5, 'Retry-After of the 503 a request gets while PostgreSQL cannot be reached.', {
    min: 1,
    max: 3600,
  }),
  loopReportMs: int(
    'LOOP_REPORT_MS',
    5_000,
    'Heartbeat of the webhook dispatcher, alert evaluator and flag-expiry loops in loop_states (at most one per step; ops health staleness is measured against it).',
    { min: 10 },
  ),
  shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 'Longest a clean shutdown may take before the process exits anyway.', { min: 100 }),
  eventAppendConnections: int(
    'EVENT_APPEND_CONNECTIONS',
    4,
    'Pooled connections that appends made outside a unit of work use at once. Appends arriving while all are busy wait and go out together as one statement and one commit (each still checked at its own expected revision); fewer connections group more.',
    { min: 1, max: 100 },
  ),
  eventAppendGroupMax: int('EVENT_APPEND_GROUP_MAX', 64, 'Most appends sent together in one grouped statement.', { min: 1, max: 10_000 }),
  projectionBatchSize: int('PROJECTION_BATCH_SIZE', 500, 'Events a projection applies per transaction.', { min: 1, max: 100_000 }),
  projectionPollMs: int('PROJECTION_POLL_MS', 1000, 'Fallback poll of the log when no NOTIFY arrives.', { min: 10 }),
  projectionRetryMs: int('PROJECTION_RETRY_MS', 30_000, 'Wait before a failed projection is tried again.', { min: 10 }),
  projectionRunnerAutostart: bool(
    'PROJECTION_RUNNER_AUTOSTART',
    true,
    'Start the projection runner when APP_MODE is all or server (the projections CLI turns it off for its own context).',
  ),
  projectionsAutoRebuild: bool('PROJECTIONS_AUTO_REBUILD', true, 'Rebuild a projection whose code version changed, at start.'),
} as const;
