import type { Api, FakeUpstream } from './console-seed';

/**
 * Freshness objectives, pauses and maintenance windows for the Holds, Maintenance and SLO pages:
 * a target polled against an upstream that answers 503 (it goes stale once its objective's age,
 * 60 s, passes without a success), a healthy one, a tenant's target.
 */
const ok = async (p: Promise<{ status: number; body: any }>, what: string) => {
  const r = await p;
  if (r.status >= 300) throw new Error(`holds seed: ${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
};

const register = (api: Api, up: FakeUpstream, type: string, name: string, path: string, extra: Record<string, unknown> = {}) =>
  ok(
    api('POST', '/api/targets', {
      type,
      name,
      probe: { kind: 'http', url: `${up.base}${path}` },
      intervalSeconds: 2,
      adaptive: false,
      reason: 'holds seed',
      ...extra,
    }),
    `register ${type}::${name}`,
  );

/** `slo::failing`: 99 % of the time at most 60 s old, polled against a server that answers 503. */
export const registerFailingSlo = (api: Api, up: FakeUpstream) =>
  register(api, up, 'slo', 'failing', '/fail', { displayName: 'Billing API (down)', freshness: { objective: 99, maxAgeSeconds: 60, window: '7d' } });

/** `slo::healthy`: 99.5 % at most 60 s old, against a server that answers 200. */
export const registerHealthySlo = (api: Api, up: FakeUpstream) =>
  register(api, up, 'slo', 'healthy', '/ok', { displayName: 'Search API', freshness: { objective: 99.5, maxAgeSeconds: 60, window: '30d' } });

/** `instance::eu-1` (no tenant) and `instance::acme-1` (tenant acme), both healthy. */
export async function registerPausable(api: Api, up: FakeUpstream): Promise<void> {
  await register(api, up, 'instance', 'eu-1', '/ok', { displayName: 'EU primary' });
  await register(api, up, 'instance', 'acme-1', '/ok', { tenant: 'acme' });
}

/** For the screenshots: a paused job, a tenant's paused targets, a window open for globex and one scheduled for acme. */
export async function seedHolds(api: Api, now = Date.now()): Promise<void> {
  const inHours = (h: number) => new Date(now + h * 3_600_000).toISOString();
  await ok(api('POST', '/api/jobs/nightly-report/pause', { reason: 'the SMTP relay is being replaced', resumeAt: inHours(2) }), 'pause nightly-report');
  await ok(api('POST', '/api/tenants/acme/targets/pause', { reason: 'acme migrates its API servers' }), 'pause the targets of acme');
  await ok(
    api('PUT', '/api/tenants/globex/maintenance', {
      mode: 'read_only',
      banner: 'Scheduled maintenance: changes are paused until 14:00 UTC.',
      endsAt: inHours(3),
      reason: 'PostgreSQL 17 upgrade of the globex shard',
    }),
    'maintenance for globex',
  );
  await ok(
    api('PUT', '/api/tenants/acme/maintenance', {
      mode: 'offline',
      banner: 'acme is offline for its data-centre move on Saturday.',
      startsAt: inHours(48),
      endsAt: inHours(52),
      reason: 'data-centre move',
    }),
    'maintenance for acme',
  );
}
