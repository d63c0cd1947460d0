import { ConfigError, EnvVar } from './env-var';
import { coreEnv } from './core.env';
import { pollingEnv } from './polling.env';
import { rateLimitEnv } from './rate-limit.env';
import { alertsEnv } from './alerts.env';
import { pointInTimeEnv } from './point-in-time.env';
import { jobsEnv } from './jobs.env';
import { authEnv } from './auth.env';
import { replayEnv } from './replay.env';
import { egressEnv } from './egress.env';
import { secretsEnv } from './secrets.env';
import { flagsEnv } from './flags.env';
import { cachesEnv } from './caches.env';
import { webhooksEnv } from './webhooks.env';
import { consoleEnv } from './console.env';
import { maintenanceEnv } from './maintenance.env';
import { failuresEnv } from './failures.env';
import { readCacheEnv } from './read-cache.env';

/**
 * Every environment variable the service reads, grouped by capability. Capabilities add their
 * group here so the README table and start-up validation see them all.
 */
export const envGroups = {
  core: coreEnv,
  polling: pollingEnv,
  rateLimit: rateLimitEnv,
  alerts: alertsEnv,
  pointInTime: pointInTimeEnv,
  jobs: jobsEnv,
  auth: authEnv,
  replay: replayEnv,
  egress: egressEnv,
  secrets: secretsEnv,
  flags: flagsEnv,
  caches: cachesEnv,
  webhooks: webhooksEnv,
  console: consoleEnv,
  maintenance: maintenanceEnv,
  failures: failuresEnv,
  readCache: readCacheEnv,
} as const;

type Parsed<G> = { [K in keyof G]: G[K] extends EnvVar<infer T> ? T : never };
export type AppConfig = { [G in keyof typeof envGroups]: Parsed<(typeof envGroups)[G]> };

export function allEnvVars(): EnvVar<unknown>[] {
  return Object.values(envGroups).flatMap((g) => Object.values(g) as EnvVar<unknown>[]);
}

/** Parses the whole environment at once; throws the first ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [group, vars] of Object.entries(envGroups)) {
    out[group] = {};
    for (const [key, v] of Object.entries(vars as Record<string, EnvVar<unknown>>)) {
      out[group][key] = v.parse(env[v.name]);
    }
  }
  const config = out as AppConfig;
  if (config.failures.retryCapDefault > config.failures.retryCapMax)
    throw new ConfigError(
      'FAILURES_RETRY_CAP_DEFAULT',
      `must not be above FAILURES_RETRY_CAP_MAX (${config.failures.retryCapMax}), got ${config.failures.retryCapDefault}`,
    );
  return config;
}

export { ConfigError };
