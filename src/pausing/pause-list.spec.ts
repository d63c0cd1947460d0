import type { LoopPauseRow } from '../../projections/loop-pauses/loop-pauses.projection';
import type { PauseRow } from '../../projections/pauses/pause-row';
import { pauseList } from './pause-list';

const now = new Date('2026-03-02T10:00:00.000Z');
const iso = (min: number) => new Date(now.getTime() + min * 60_000).toISOString();
const row = (scope: PauseRow['scope'], subject: string, tenant: string | null, over: Partial<PauseRow> = {}): PauseRow => ({
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
});
const loop = (over: Partial<LoopPauseRow>): LoopPauseRow => ({
  loop: 'job-worker',
  paused: true,
  reason: 'deploy',
  pausedBy: 'bob',
  pausedAt: iso(-5),
  resumeAt: null,
  resumedBy: null,
  resumedAt: null,
  resumeReason: null,
  ...over,
});

describe('pauseList (GET /api/pauses)', () => {
  const rows = [
    row('job', 'nightly', 'acme'),
    row('tenant-targets', 'globex', 'globex', { pausedAt: iso(-2) }),
    row('target', 'svc::a', null, { pausedAt: iso(-1) }),
    row('job', 'resumed', 'acme', { paused: false, resumedBy: 'bob', resumedAt: iso(-3), resumeReason: 'done' }),
    row('job', 'ran-out', 'acme', { resumeAt: iso(-1) }),
  ];

  it('lists the pauses that hold now, newest first, without the row key', () => {
    const { pauses } = pauseList(rows, [], null, now);
    expect(pauses.map((p) => `${p.scope}:${p.subject}`)).toEqual(['target:svc::a', 'tenant-targets:globex', 'job:nightly']);
    expect(pauses[0]).not.toHaveProperty('key');
  });

  it("confines a tenant's caller to its tenant's pauses (not the shared ones), and still shows it every loop", () => {
    const { pauses, loops } = pauseList(rows, [loop({})], 'acme', now);
    expect(pauses.map((p) => p.subject)).toEqual(['nightly']);
    expect(loops.map((l) => [l.loop, l.paused, l.pausedBy])).toEqual([
      ['job-worker', true, 'bob'],
      ['poll-scheduler', false, null],
    ]);
  });

  it('shows a loop pause past its resumeAt as ended, keeping who paused it and why', () => {
    const { loops } = pauseList([], [loop({ resumeAt: iso(-1) })], null, now);
    expect(loops[0]).toMatchObject({ loop: 'job-worker', paused: false, reason: 'deploy', resumeAt: iso(-1), resumedBy: null });
  });
});
