import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import type { RestoreDrillRow } from '../../projections/restore-drills/restore-drills.projection';
import { evolveTarget, TargetState } from '../polling/target.state';
import type { TargetEvent } from '../polling/events/target.events';
import type { LoopStateRow } from '../database/loop-state';
import { assessOpsHealth, OpsHealthAssessment, OpsHealthConfig, OpsHealthFacts, OpsStatus } from './ops-health.rules';

const now = new Date('2026-03-02T10:30:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const cfg: OpsHealthConfig = { staleFactor: 2.5, disabledThreshold: 0.1, stuckAfterMs: 60_000, stuckMinReady: 1, quietHours: null, quietHoursTz: 'UTC' };

const loop = (name: string, over: Partial<LoopStateRow> = {}): LoopStateRow => ({
  loop: name,
  instanceId: 'a',
  state: 'working',
  intervalMs: 5000,
  lastRunAt: ago(1000),
  beatAt: ago(1000),
  startedAt: ago(100_000),
  detail: null,
  ...over,
});
const scheduler = (over: Partial<LoopStateRow> = {}) => loop('poll-scheduler', { detail: { role: 'active', inFlight: 0 }, ...over });
const standby = (over: Partial<LoopStateRow> = {}) => scheduler({ instanceId: 'b', state: 'idle', lastRunAt: ago(100), detail: { role: 'standby' }, ...over });

function target(name: string, over: Partial<TargetState> = {}): TargetState {
  const reg: TargetEvent = {
    type: 'TargetRegistered',
    data: {
      key: `feed::${name}`,
      spec: { type: 'feed', name, probe: { kind: 'http', url: `http://${name}.example/` } },
      source: 'api',
      at: ago(3_600_000).toISOString(),
    },
  };
  return { ...evolveTarget(null, reg)!, lastSuccess: ago(5000).toISOString(), nextDueMs: now.getTime() + 5000, ...over };
}
const targets = (n: number, over: Partial<TargetState> = {}) => Array.from({ length: n }, (_, i) => target(`t${i}`, over));
const dueAgo = (ms: number): Partial<TargetState> => ({ nextDueMs: now.getTime() - ms });
const deadLettered: Partial<TargetState> = {
  deadLetter: {
    reason: 'max_retry_attempts',
    firstAttempt: ago(60_000).toISOString(),
    lastAttempt: ago(60_000).toISOString(),
    retryCount: 0,
    nextRetry: ago(-300_000).toISOString(),
  },
};
const drill = (daysAgo: number): RestoreDrillRow => ({
  drillId: `d${daysAgo}`,
  owner: 'alice',
  result: 'passed',
  notes: null,
  eventsRestored: null,
  durationSeconds: null,
  performedAt: ago(daysAgo * 86_400_000).toISOString(),
});

/** given the facts (a recent restore drill unless told), when assessed at `now`, then status, issues and notices. */
function given(facts: Partial<OpsHealthFacts>, config: Partial<OpsHealthConfig> = {}) {
  return {
    when(at: Date = now) {
      const a = assessOpsHealth({ targets: [], loops: [], drills: [drill(10)], ...facts }, at, { ...cfg, ...config });
      return {
        then(status: OpsStatus, issues: string[], notices: string[] = []): OpsHealthAssessment {
          expect({ status: a.status, issues: a.issues, notices: a.notices }).toEqual({ status, issues, notices });
          return a;
        },
      };
    },
  };
}

describe('ops health rules: facts → status, issues, notices', () => {
  it('healthy: every loop fresh, nothing overdue, few dead letters, a recent drill', () => {
    given({ loops: [scheduler(), loop('cron')], targets: targets(20) })
      .when()
      .then('healthy', []);
  });

  describe('loops', () => {
    it('no loop ever started → unhealthy', () => {
      given({ loops: [] }).when().then('unhealthy', ['Jobs not started']);
    });

    it('only the auxiliary loops (webhook dispatcher, alert evaluator, flag expiry) report → jobs not started', () => {
      const aux = (name: string) => loop(name, { state: 'idle', detail: { role: 'active', auxiliary: true } });
      given({ loops: [aux('webhook-dispatcher'), aux('alert-evaluator')] })
        .when()
        .then('unhealthy', ['Jobs not started']);
      given({ loops: [aux('webhook-dispatcher'), scheduler()] })
        .when()
        .then('healthy', []);
    });

    it('an auxiliary loop that stopped stepping goes stale like any other', () => {
      given({ loops: [scheduler(), loop('webhook-dispatcher', { state: 'idle', lastRunAt: ago(12_501), detail: { role: 'active', auxiliary: true } })] })
        .when()
        .then('unhealthy', ['webhook-dispatcher stale (13s ago)']);
    });

    it('stale past staleFactor × interval → unhealthy; at exactly that age still fresh', () => {
      given({ loops: [scheduler({ lastRunAt: ago(12_500) })] })
        .when()
        .then('healthy', []);
      given({ loops: [scheduler({ lastRunAt: ago(12_501) })] })
        .when()
        .then('unhealthy', ['poll-scheduler stale (13s ago)']);
      given({ loops: [loop('janitor', { intervalMs: 900_000, lastRunAt: ago(3 * 3_600_000) })] })
        .when()
        .then('unhealthy', ['janitor stale (3h ago)']);
    });

    it('a loop that never ran is judged from its start', () => {
      given({ loops: [loop('cron', { lastRunAt: null, startedAt: ago(20_000) })] })
        .when()
        .then('unhealthy', ['cron stale (20s ago)']);
    });

    it('stopped or crashed → unhealthy (whatever the age); paused → degraded', () => {
      given({ loops: [scheduler({ state: 'stopped' })] })
        .when()
        .then('unhealthy', ['poll-scheduler stopped']);
      given({ loops: [loop('job-worker', { state: 'crashed', lastRunAt: ago(10 * 60_000) })] })
        .when()
        .then('unhealthy', ['job-worker crashed']);
      given({ loops: [scheduler({ state: 'paused' })] })
        .when()
        .then('degraded', ['poll-scheduler paused']);
    });

    it('the freshest non-standby process speaks for a loop; a standby only when nothing else reports', () => {
      const stale = scheduler({ lastRunAt: ago(45 * 60_000) });
      const a = given({ loops: [stale, standby()] })
        .when()
        .then('unhealthy', ['poll-scheduler stale (45m ago)']);
      expect(a.loops).toEqual([{ loop: 'poll-scheduler', speaker: stale, processes: 2, stale: true }]);
      given({ loops: [standby()] })
        .when()
        .then('healthy', []);
    });
  });

  describe('queue', () => {
    it('targets overdue past stuckAfterMs while the scheduler idles → unhealthy; working or in quiet hours catches up', () => {
      const late = [...targets(3), target('late', dueAgo(120_000))];
      given({ loops: [scheduler({ state: 'idle' })], targets: late })
        .when()
        .then('unhealthy', ['Queue stuck: 1 ready but scheduler idle']);
      given({ loops: [scheduler()], targets: late })
        .when()
        .then('healthy', []);
      given({ loops: [scheduler({ state: 'quiet_hours' })], targets: late })
        .when()
        .then('healthy', []);
    });

    it('due but not yet stuckAfterMs late is only ready', () => {
      const a = given({ loops: [scheduler({ state: 'idle' })], targets: [target('due', dueAgo(30_000))] })
        .when()
        .then('healthy', []);
      expect(a.queue).toEqual({ waiting: 1, ready: 1, overdue: 0 });
    });

    it('says why: no scheduler, a stale one, a stopped one', () => {
      const late = [target('late', dueAgo(120_000))];
      given({ loops: [loop('cron')], targets: late })
        .when()
        .then('unhealthy', ['Queue stuck: 1 ready but no poll scheduler running']);
      given({ loops: [scheduler({ lastRunAt: ago(60_000) })], targets: late })
        .when()
        .then('unhealthy', ['poll-scheduler stale (1m ago)', 'Queue stuck: 1 ready but scheduler stale']);
      given({ loops: [scheduler({ state: 'stopped', lastRunAt: ago(60_000) })], targets: late })
        .when()
        .then('unhealthy', ['poll-scheduler stopped', 'Queue stuck: 1 ready but scheduler stopped']);
    });

    it('paused and dead-lettered targets are not waiting, so never stuck', () => {
      const a = given({ loops: [scheduler({ state: 'idle' })], targets: [target('p', { ...dueAgo(120_000), paused: true })] })
        .when()
        .then('healthy', []);
      expect(a.queue).toEqual({ waiting: 0, ready: 0, overdue: 0 });
    });

    it('stuckMinReady sets how many overdue targets make it stuck', () => {
      const late = [target('l1', dueAgo(120_000)), target('l2', dueAgo(120_000))];
      given({ loops: [scheduler({ state: 'idle' })], targets: late }, { stuckMinReady: 3 })
        .when()
        .then('healthy', []);
      given({ loops: [scheduler({ state: 'idle' })], targets: late }, { stuckMinReady: 2 })
        .when()
        .then('unhealthy', ['Queue stuck: 2 ready but scheduler idle']);
    });
  });

  describe('dead letters', () => {
    it('more than disabledThreshold of the targets dead-lettered → degraded; exactly at it, healthy', () => {
      given({ loops: [scheduler()], targets: [...targets(18), ...targets(2, deadLettered)] })
        .when()
        .then('healthy', []);
      given({ loops: [scheduler()], targets: [...targets(17), ...targets(3, deadLettered)] })
        .when()
        .then('degraded', ['High disabled: 3/20 (15%)']);
    });
  });

  describe('restore drill', () => {
    it('none within restoreDrillMaxAgeDays is a notice, or an issue (degraded) when required; a drill after `now` does not count', () => {
      given({ loops: [scheduler()], drills: [] })
        .when()
        .then('healthy', [], ['No restore drill recorded in 92 days']);
      given({ loops: [scheduler()], drills: [drill(93)] }, { requireRestoreDrill: true })
        .when()
        .then('degraded', ['No restore drill recorded in 92 days']);
      given({ loops: [scheduler()], drills: [drill(93)] }, { requireRestoreDrill: true, restoreDrillMaxAgeDays: 100 })
        .when()
        .then('healthy', []);
      given({ loops: [scheduler()], drills: [drill(-1)] })
        .when()
        .then('healthy', [], ['No restore drill recorded in 92 days']);
    });
  });

  it('critical issues come first and decide the status', () => {
    given({ loops: [scheduler({ state: 'paused' }), loop('janitor', { state: 'crashed' })], targets: targets(1, deadLettered) })
      .when()
      .then('unhealthy', ['janitor crashed', 'poll-scheduler paused', 'High disabled: 1/1 (100%)']);
  });

  it('the same facts at a later instant: the assessment moves with `now` alone (as at ?at=)', () => {
    const facts = { loops: [scheduler({ lastRunAt: new Date('2026-03-02T10:00:00Z') })] };
    given(facts).when(new Date('2026-03-02T10:00:05Z')).then('healthy', []);
    given(facts).when(new Date('2026-03-02T10:01:00Z')).then('unhealthy', ['poll-scheduler stale (1m ago)']);
  });
});

describe('ops health rules: tenants in maintenance', () => {
  const row = (tenant: string, startsAt: Date, endsAt: Date | null): MaintenanceRow => ({
    tenant,
    window: {
      mode: 'read_only',
      banner: 'back soon',
      startsAt: startsAt.toISOString(),
      endsAt: endsAt?.toISOString() ?? null,
      reason: 'upgrade',
      scheduledBy: 'alice',
      scheduledAt: ago(7_200_000).toISOString(),
      openedAt: null,
    },
    last: null,
    updatedAt: ago(7_200_000).toISOString(),
  });
  const later = (ms: number) => new Date(now.getTime() + ms);

  it('lists the windows that hold by the clock (a scheduled start or end needs no event) as notices, not issues', () => {
    const a = assessOpsHealth(
      {
        targets: [],
        loops: [scheduler()],
        maintenance: [row('acme', ago(60_000), later(60_000)), row('globex', later(60_000), null), row('initech', ago(120_000), ago(60_000))],
      },
      now,
      cfg,
    );
    expect(a.status).toBe('healthy');
    expect(a.maintenance.map((m) => m.tenant)).toEqual(['acme']);
    expect(a.notices.filter((n) => n.startsWith('Tenant'))).toHaveLength(1);
    expect(a.notices).toContain(`Tenant acme in maintenance (read_only) since ${ago(60_000).toISOString()} until ${later(60_000).toISOString()}`);
  });

  it('a tenant in maintenance has its targets held: its overdue targets are not a stuck queue', () => {
    const acmeTarget = { ...target('acme-web', dueAgo(120_000)), spec: { ...target('acme-web').spec, tenant: 'acme' } } as TargetState;
    const facts = { targets: [acmeTarget], loops: [scheduler({ state: 'idle' })] };
    expect(assessOpsHealth(facts, now, cfg).issues).toEqual(['Queue stuck: 1 ready but scheduler idle']);
    expect(assessOpsHealth({ ...facts, maintenance: [row('acme', ago(60_000), null)] }, now, cfg).issues).toEqual([]);
  });
});
