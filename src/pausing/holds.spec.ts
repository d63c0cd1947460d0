import type { PauseRow } from '../../projections/pauses/pause-row';
import { claimFilter, Hold, holdFor, holdsFor, HoldSource } from './holds';
import { pauseSource } from './pause-source';

const at = new Date('2026-03-02T10:00:00.000Z');
const iso = (min: number) => new Date(at.getTime() + min * 60_000).toISOString();
const row = (scope: PauseRow['scope'], subject: string, tenant: string | null, over: Partial<PauseRow> = {}): [string, PauseRow] => [
  `${scope}:${subject}`,
  {
    key: `${scope}:${subject}`,
    scope,
    subject,
    tenant,
    paused: true,
    reason: `${scope} ${subject}`,
    pausedBy: 'alice',
    pausedAt: iso(-10),
    resumeAt: null,
    resumedBy: null,
    resumedAt: null,
    resumeReason: null,
    autoResumed: false,
    ...over,
  },
];
const pauses = (...rows: [string, PauseRow][]) => pauseSource(new Map(rows));
/** A source holding every subject of one tenant: the shape the maintenance windows will plug in with. */
const maintenance = (tenant: string, until: string | null): HoldSource => ({
  name: 'maintenance',
  holds: (s) =>
    s.tenant === tenant ? [{ source: 'maintenance', scope: 'tenant', subject: tenant, tenant, reason: 'db upgrade', by: 'bob', since: iso(-5), until }] : [],
});

describe('the hold check', () => {
  it('nothing holds: null', () => {
    expect(holdFor([], { tenant: 'acme', job: 'sync' }, at)).toBeNull();
    expect(holdFor([pauses(row('job', 'other', 'acme'))], { tenant: 'acme', job: 'sync' }, at)).toBeNull();
  });

  it("a run is held by its job's pause and by its tenant's jobs pause; a target by its own and its tenant's targets pause", () => {
    const src = [
      pauses(row('job', 'sync', 'acme'), row('tenant-jobs', 'globex', 'globex'), row('target', 'svc::a', 'acme'), row('tenant-targets', 'acme', 'acme')),
    ];
    expect(holdFor(src, { tenant: 'acme', job: 'sync' }, at)).toMatchObject({ source: 'pause', scope: 'job', subject: 'sync', by: 'alice', until: null });
    expect(holdFor(src, { tenant: 'globex', job: 'report' }, at)).toMatchObject({ scope: 'tenant-jobs', subject: 'globex' });
    // A run of no tenant, or of a tenant whose jobs are not paused: free.
    expect(holdFor(src, { tenant: null, job: 'report' }, at)).toBeNull();
    expect(holdFor(src, { tenant: 'acme', job: 'report' }, at)).toBeNull();
    // The tenant's targets pause holds its targets, not its jobs.
    expect(holdFor(src, { tenant: 'acme', target: 'svc::b' }, at)).toMatchObject({ scope: 'tenant-targets', subject: 'acme' });
    expect(holdsFor(src, { tenant: 'acme', target: 'svc::a' }, at).map((h) => h.scope)).toEqual(['tenant-targets', 'target']);
  });

  it('a pause holds from its start, until resumed or until its resumeAt, by the instant asked (auto-resume needs no event)', () => {
    const src = [pauses(row('job', 'sync', null, { resumeAt: iso(30) }))];
    const s = { tenant: null, job: 'sync' };
    expect(holdFor(src, s, new Date(iso(-11)))).toBeNull();
    expect(holdFor(src, s, new Date(iso(29)))).toMatchObject({ until: iso(30) });
    expect(holdFor(src, s, new Date(iso(30)))).toBeNull();
    const resumed = [pauses(row('job', 'sync', null, { paused: false, resumedAt: iso(5), resumedBy: 'bob' }))];
    expect(holdFor(resumed, s, new Date(iso(4)))).not.toBeNull(); // a tick at 4 was held (the ticker may judge it late)
    expect(holdFor(resumed, s, new Date(iso(5)))).toBeNull();
  });

  it('precedence: the hold that lasts longest decides (no end first), then the earlier source, then the wider scope', () => {
    const short = pauses(row('job', 'sync', 'acme', { resumeAt: iso(10) }), row('tenant-jobs', 'acme', 'acme', { resumeAt: iso(20) }));
    expect(holdFor([short], { tenant: 'acme', job: 'sync' }, at)).toMatchObject({ scope: 'tenant-jobs', until: iso(20) });
    expect(holdFor([short, maintenance('acme', null)], { tenant: 'acme', job: 'sync' }, at)).toMatchObject({ source: 'maintenance', until: null });
    const forever = pauses(row('job', 'sync', 'acme'), row('tenant-jobs', 'acme', 'acme'));
    const both: Hold[] = holdsFor([forever, maintenance('acme', null)], { tenant: 'acme', job: 'sync' }, at);
    expect(both.map((h) => `${h.source}/${h.scope}`)).toEqual(['pause/tenant-jobs', 'pause/job', 'maintenance/tenant']);
    // Another source plugs in as one more entry: it holds targets too.
    expect(holdFor([pauses(), maintenance('acme', iso(60))], { tenant: 'acme', target: 'svc::a' }, at)).toMatchObject({
      source: 'maintenance',
      until: iso(60),
    });
  });

  it("the worker's claim filter: held jobs whatever the run's tenant, and tenants whose every run is held", () => {
    const src = [pauses(row('job', 'sync', 'acme'), row('tenant-jobs', 'globex', 'globex'), row('tenant-targets', 'initech', 'initech'))];
    expect(claimFilter(src, ['sync', 'report', 'globex-sync'], ['acme', 'globex', 'initech'], at)).toEqual({ heldJobs: ['sync'], heldTenants: ['globex'] });
  });
});
