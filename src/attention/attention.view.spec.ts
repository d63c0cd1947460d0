import type { AlertRow } from '../../projections/alerts/alerts.projection';
import type { LoopPauseRow } from '../../projections/loop-pauses/loop-pauses.projection';
import type { WebhookDeliveryRow } from '../../projections/webhooks/webhook-delivery-row';
import type { LoopStateRow } from '../database/loop-state';
import type { LoopFinding } from '../health/ops-health.rules';
import type { JobSignal } from '../jobs/jobs-views.service';
import { jobSla } from '../jobs/views/inventory.view';
import type { JobDefinitionRow } from '../../projections/job-definitions/job-definition-row';
import type { TargetEvent } from '../polling/events/target.events';
import { closedBreaker, evolveTarget, TargetState } from '../polling/target.state';
import type { AttentionFacts } from './attention-facts';
import { attentionView } from './attention.view';

const now = new Date('2026-03-02T10:30:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;

function target(name: string, tenant: string | null, over: Partial<TargetState> = {}): TargetState {
  const reg: TargetEvent = {
    type: 'TargetRegistered',
    data: {
      key: `svc::${name}`,
      spec: { type: 'svc', name, probe: { kind: 'http', url: `http://${name}.example/` }, ...(tenant ? { tenant } : {}) },
      source: 'api',
      at: ago(600 * MIN),
    },
  };
  return { ...evolveTarget(null, reg)!, ...over };
}
const open = (sinceMs: number): Partial<TargetState> => ({
  firstFailureAt: ago(sinceMs),
  consecutiveFailures: 5,
  breaker: { ...closedBreaker(ago(sinceMs)), state: 'open', since: ago(sinceMs - MIN), retryAt: ago(-MIN), failureCount: 5, trips: 1 },
  lastError: { at: ago(MIN), message: 'Service Unavailable', category: 'transient', failureKind: 'http_5xx', statusCode: 503 },
});
const deadLetter = (sinceMs: number): Partial<TargetState> => ({
  ...open(sinceMs),
  deadLetter: { reason: 'max_retry_attempts', firstAttempt: ago(sinceMs), lastAttempt: ago(MIN), retryCount: 0, nextRetry: ago(-30 * MIN) },
});
const loop = (name: string, over: Partial<LoopStateRow>, stale = false): LoopFinding => ({
  loop: name,
  processes: 1,
  stale,
  speaker: {
    loop: name,
    instanceId: 'a',
    state: 'working',
    intervalMs: 5000,
    lastRunAt: new Date(ago(1000)),
    beatAt: now,
    startedAt: new Date(ago(60 * MIN)),
    detail: null,
    ...over,
  },
});
const job = (
  name: string,
  tenant: string | null,
  stats: { pending?: number; runningSinceMs?: number; readySinceMs?: number },
  targetMs: number | null = 5 * MIN,
): JobSignal => {
  const def = { name, definition: { tenant, targetDurationMs: targetMs } } as unknown as JobDefinitionRow;
  const st = {
    pending: stats.pending ?? 0,
    running: stats.runningSinceMs ? 1 : 0,
    oldestRunningSince: stats.runningSinceMs ? ago(stats.runningSinceMs) : null,
    oldestReadyAt: stats.readySinceMs ? ago(stats.readySinceMs) : null,
  };
  return { name, tenant, oldestRunningSince: st.oldestRunningSince, oldestReadyAt: st.oldestReadyAt, pending: st.pending, sla: jobSla(def, st, now) };
};
const alert = (rule: string, state: 'firing' | 'resolved', firedMs: number): AlertRow => ({
  rule,
  state,
  summary: `${rule} summary`,
  value: 1,
  pendingSince: null,
  firedAt: ago(firedMs),
  resolvedAt: state === 'resolved' ? ago(MIN) : null,
  timesFired: 1,
});
const delivery = (id: string, subscriptionId: string, tenant: string | null, failedMs: number, status: WebhookDeliveryRow['status'] = 'failed') =>
  ({
    id,
    subscriptionId,
    tenant,
    status,
    eventType: 'RunFailed',
    failedAt: ago(failedMs),
    lastErrorKind: 'http_status',
    lastStatus: 500,
  }) as WebhookDeliveryRow;
const pause: LoopPauseRow = {
  loop: 'poll-scheduler',
  paused: true,
  reason: 'provider maintenance\nsecond line',
  pausedBy: 'alice',
  pausedAt: ago(20 * MIN),
  resumeAt: null,
  resumedBy: null,
  resumedAt: null,
  resumeReason: null,
};

/** An installation with one of everything: acme and globex items, items without a tenant, installation-wide ones. */
const facts: AttentionFacts = {
  now,
  jobs: [
    job('acme-sync', 'acme', { runningSinceMs: 12 * MIN }),
    job('globex-etl', 'globex', { pending: 14, readySinceMs: 40 * MIN }),
    job('quiet', null, { pending: 3, runningSinceMs: MIN }),
    job('no-target', null, { runningSinceMs: 600 * MIN }, null),
  ],
  failedRuns: [
    {
      job: 'acme-sync',
      tenant: 'acme',
      failures: 2,
      firstFailedAt: ago(90 * MIN),
      lastFailedAt: ago(30 * MIN),
      lastRunId: 'run-2',
      lastError: 'exit code 1\nstack',
    },
  ],
  targets: [
    target('acme-web', 'acme', open(50 * MIN)),
    target('acme-api', 'acme', deadLetter(120 * MIN)),
    target('globex-web', 'globex', { ...open(10 * MIN), paused: true, pause: { reason: 'flapping', by: 'alice', since: ago(5 * MIN), resumeAt: null } }),
    target('ok', 'globex'),
    target('platform', null, { ...open(200 * MIN), breaker: { ...open(200 * MIN).breaker!, state: 'half_open', retryAt: null } }),
  ],
  ops: {
    loops: [loop('job-worker', { lastRunAt: new Date(ago(3 * MIN)) }, true), loop('cron', { state: 'crashed' }), loop('janitor', {})],
    pauses: [pause],
    held: [],
    maintenance: [],
  },
  alerts: [alert('cron_failing', 'firing', 15 * MIN), alert('queue_backlog', 'firing', 25 * MIN), alert('auth_failures_spike', 'resolved', 60 * MIN)],
  webhookFailures: [
    delivery('d1', 'sub-a', 'acme', 30 * MIN),
    delivery('d2', 'sub-a', 'acme', 10 * MIN),
    delivery('d3', 'sub-g', 'globex', 5 * MIN),
    delivery('d4', 'sub-a', 'acme', 1, 'handled'),
  ],
};
const all = (scope: string | null = null, f: { kind?: string; severity?: 'critical' | 'warning' | 'info'; limit?: number } = {}) =>
  attentionView(facts, { scope, limit: 100, ...f });
const line = (i: { severity: string; kind: string; subject: string; tenant: string | null }) => `${i.severity} ${i.kind} ${i.subject} ${i.tenant ?? '-'}`;

describe('attentionView: the sources over one installation, ranked, scoped and filtered', () => {
  it('lists one item per problem, most urgent first: critical, warning, info; within each the oldest first', () => {
    expect(all().items.map(line)).toEqual([
      'critical dead_letter svc::acme-api acme', // failing since 120 min (its open breaker is not listed again)
      'critical alert cron_failing -', // 15 min
      'critical stale_loop job-worker -', // last ran 3 min ago
      'critical stale_loop cron -', // crashed, last ran 1 s ago
      'warning breaker svc::platform -', // half-open, failing since 200 min
      'warning failed_run acme-sync acme', // 90 min
      'warning breaker svc::acme-web acme', // 50 min
      'warning job_piling_up globex-etl globex', // oldest waiting run ready 40 min ago
      'warning webhook_failure sub-a acme', // oldest of two in the inbox, 30 min
      'warning alert queue_backlog -', // 25 min
      'warning job_running_long acme-sync acme', // running 12 min, target 5 min: beyond it for 7 min
      'warning webhook_failure sub-g globex', // 5 min
      'info paused poll-scheduler -', // 20 min
      'info paused svc::globex-web globex', // 5 min; its open breaker waits with it
    ]);
  });

  it('each item carries since, a one-line summary, the drill-in path and the tenant', () => {
    const byKey = new Map(all().items.map((i) => [`${i.kind} ${i.subject}`, i]));
    expect(byKey.get('dead_letter svc::acme-api')).toEqual({
      kind: 'dead_letter',
      severity: 'critical',
      since: '2026-03-02T08:30:00Z',
      summary: 'target svc::acme-api dead-lettered (max_retry_attempts), next retry 2026-03-02T11:00:00Z; last: http_5xx 503 Service Unavailable',
      href: '/api/targets/svc::acme-api',
      tenant: 'acme',
      subject: 'svc::acme-api',
    });
    expect(byKey.get('job_running_long acme-sync')).toMatchObject({
      since: '2026-03-02T10:23:00Z',
      summary: 'job acme-sync: a run has been running 12m, beyond its 5 min target',
      href: '/api/jobs/acme-sync',
    });
    expect(byKey.get('failed_run acme-sync')).toMatchObject({
      summary: 'job acme-sync (tenant acme): 2 failed runs since its last success; latest: exit code 1',
      href: '/api/runs/run-2',
    });
    expect(byKey.get('webhook_failure sub-a')).toMatchObject({
      since: '2026-03-02T10:00:00Z',
      summary: 'webhook subscription sub-a: 2 failed deliveries in the inbox; latest: RunFailed, HTTP 500',
      href: '/api/webhooks/failures?subscriptionId=sub-a',
    });
    expect(byKey.get('paused poll-scheduler')).toMatchObject({
      summary: 'poll-scheduler paused by alice: provider maintenance',
      href: '/api/ops/health',
      tenant: null,
    });
    expect(byKey.get('stale_loop cron')!.summary).toBe('cron crashed: last ran 1s ago (expected every 5s)');
    expect(byKey.get('breaker svc::platform')!.summary).toBe('target svc::platform breaker half-open after 5 failures, trial under way; last: http_5xx 503');
  });

  it("a scoped caller sees its tenant's items and the shared loop items; no other tenant's, none without a tenant, no alerts", () => {
    expect(all('acme').items.map(line)).toEqual([
      'critical dead_letter svc::acme-api acme',
      'critical stale_loop job-worker -',
      'critical stale_loop cron -',
      'warning failed_run acme-sync acme',
      'warning breaker svc::acme-web acme',
      'warning webhook_failure sub-a acme',
      'warning job_running_long acme-sync acme',
      'info paused poll-scheduler -',
    ]);
    expect(all('globex').items.map((i) => i.tenant ?? '-')).toEqual(['-', '-', 'globex', 'globex', '-', 'globex']);
  });

  it('counts every kind (zeros too) over what the scope and severity let through; kind and limit narrow the items only', () => {
    const body = all(null, { kind: 'breaker', limit: 1 });
    expect(body.counts).toEqual({
      stale_loop: 2,
      dead_letter: 1,
      alert: 2,
      breaker: 2,
      job_running_long: 1,
      job_piling_up: 1,
      failed_run: 1,
      webhook_failure: 2,
      paused: 2,
      maintenance: 0,
    });
    expect(body.total).toBe(2);
    expect(body.items.map(line)).toEqual(['warning breaker svc::platform -']);
    expect(body.checkedAt).toBe('2026-03-02T10:30:00Z');
  });

  it("severity filters items and counts alike; alerts take their rule's severity (cron_failing critical, the rest warnings)", () => {
    const critical = all(null, { severity: 'critical' });
    expect(critical.items.map((i) => i.kind)).toEqual(['dead_letter', 'alert', 'stale_loop', 'stale_loop']);
    expect(critical.counts).toMatchObject({ alert: 1, breaker: 0, paused: 0, stale_loop: 2 });
    expect(all(null, { severity: 'info' }).items.map((i) => i.subject)).toEqual(['poll-scheduler', 'svc::globex-web']);
  });

  it("tenants in maintenance and pauses of a job or a tenant's jobs show as info, for their own tenant only", () => {
    const held = (scope: 'job' | 'tenant-jobs' | 'target', subject: string, tenant: string) => ({
      ...pause,
      key: `${scope}:${subject}`,
      scope,
      subject,
      tenant,
      reason: 'upstream down',
      pausedBy: 'bob',
      pausedAt: ago(7 * MIN),
    });
    const f: AttentionFacts = {
      ...facts,
      ops: {
        ...facts.ops,
        held: [held('job', 'acme-sync', 'acme'), held('tenant-jobs', 'globex', 'globex'), held('target', 'svc::acme-web', 'acme')] as never,
        maintenance: [{ tenant: 'acme', mode: 'read_only', banner: 'Upgrading\nthe shard', startsAt: ago(3 * MIN), endsAt: null }],
      },
    };
    const line = (i: { kind: string; subject: string; summary: string; href: string }) => `${i.kind} ${i.subject} | ${i.summary} | ${i.href}`;
    const acme = attentionView(f, { scope: 'acme', limit: 100, severity: 'info' }).items.map(line);
    // The oldest first: the loop pause, then the job pause (7 min), then the maintenance (3 min).
    expect(acme).toEqual([
      expect.stringMatching(/^paused poll-scheduler /),
      'paused job:acme-sync | job acme-sync paused by bob: upstream down | /api/jobs/acme-sync',
      `maintenance acme | tenant acme in maintenance (read_only): Upgrading | /api/tenants/acme/maintenance`,
    ]);
    expect(attentionView(f, { scope: 'globex', limit: 100, severity: 'info' }).items.map(line)).toEqual([
      expect.stringMatching(/^paused poll-scheduler /),
      'paused tenant-jobs:globex | the jobs of tenant globex paused by bob: upstream down | /api/jobs',
      expect.stringMatching(/^paused svc::globex-web /),
    ]);
    expect(attentionView(f, { scope: null, limit: 100 }).counts).toMatchObject({ maintenance: 1 });
  });

  it('nothing wrong: an empty list with every count zero', () => {
    const body = attentionView(
      {
        now,
        jobs: [],
        failedRuns: [],
        targets: [target('ok', 'acme')],
        ops: { loops: [loop('janitor', {})], pauses: [], held: [], maintenance: [] },
        alerts: [],
        webhookFailures: [],
      },
      { scope: null, limit: 100 },
    );
    expect(body.items).toEqual([]);
    expect(body.total).toBe(0);
    expect(Object.values(body.counts).every((n) => n === 0)).toBe(true);
  });
  it("a paused target's `since` is when it was paused (TargetPaused, folded into the target's state)", () => {
    const paused = evolveTarget(target('later', 'acme'), { type: 'TargetPaused', data: { key: 'svc::later', at: ago(7 * MIN) } })!;
    const body = attentionView({ ...facts, targets: [paused] }, { scope: 'acme', kind: 'paused', limit: 100 });
    expect(body.items.map((i) => [i.subject, i.since])).toEqual([
      ['poll-scheduler', '2026-03-02T10:10:00Z'],
      ['svc::later', '2026-03-02T10:23:00Z'],
    ]);
  });
});
