import { spec } from '../../test/support/given';
import { pauseDecider } from './pause.decider';
import type { PauseEvent, PauseSubjectRef } from './pause.events';

const now = new Date('2026-03-02T10:00:00.000Z');
const job: PauseSubjectRef = { scope: 'job', subject: 'nightly', tenant: 'acme' };
const tenantTargets: PauseSubjectRef = { scope: 'tenant-targets', subject: 'acme', tenant: 'acme' };
const paused = (resumeAt: string | null = null): PauseEvent => ({
  type: 'JobPaused',
  data: { ...job, reason: 'deploy', resumeAt, pausedBy: 'alice', at: '2026-03-02T09:00:00.000Z' },
});

describe('pause decider (one job, a tenant’s jobs or targets)', () => {
  const d = spec(pauseDecider);

  it('pauses with a reason and an optional resumeAt; the event names the scope, subject and tenant', () => {
    d.given()
      .when({ kind: 'pause', subject: job, reason: 'deploy', resumeAt: null, actor: 'alice', now })
      .then([{ type: 'JobPaused', data: { ...job, reason: 'deploy', resumeAt: null, pausedBy: 'alice', at: now.toISOString() } }]);
    d.given()
      .when({ kind: 'pause', subject: tenantTargets, reason: 'migration', resumeAt: '2026-03-02T11:00:00+00:00', actor: 'bob', now })
      .then([
        {
          type: 'TenantTargetsPaused',
          data: { ...tenantTargets, reason: 'migration', resumeAt: '2026-03-02T11:00:00.000Z', pausedBy: 'bob', at: now.toISOString() },
        },
      ]);
  });

  it('refuses a resumeAt not in the future (naming the field) and a second pause (409, like the loop pauses)', () => {
    d.given().when({ kind: 'pause', subject: job, reason: 'x', resumeAt: now.toISOString(), actor: 'a', now }).thenRejects('invalid', 'resumeAt');
    const r = d.given(paused()).when({ kind: 'pause', subject: job, reason: 'x', resumeAt: null, actor: 'a', now }).thenRejects('conflict');
    expect(r.reason).toBe('job "nightly" is paused already (by alice since 2026-03-02T09:00:00.000Z: "deploy"); resume it first');
  });

  it('resumes a paused subject; refuses when not paused or when the pause ran out; an ended pause does not block a new one', () => {
    d.given(paused())
      .when({ kind: 'resume', subject: job, reason: 'done', actor: 'bob', now })
      .then([{ type: 'JobResumed', data: { ...job, reason: 'done', resumedBy: 'bob', auto: false, at: now.toISOString() } }]);
    d.given().when({ kind: 'resume', subject: job, reason: 'done', actor: 'bob', now }).thenRejects('conflict');
    d.given(paused('2026-03-02T09:30:00.000Z')).when({ kind: 'resume', subject: job, reason: 'done', actor: 'bob', now }).thenRejects('conflict');
    d.given(paused('2026-03-02T09:30:00.000Z'))
      .when({ kind: 'pause', subject: job, reason: 'again', resumeAt: null, actor: 'a', now })
      .then([{ type: 'JobPaused', data: { ...job, reason: 'again', resumeAt: null, pausedBy: 'a', at: now.toISOString() } }]);
  });

  it('expire records the automatic resume once, at resumeAt; nothing before it, without one, or after a resume', () => {
    d.given(paused('2026-03-02T09:30:00.000Z'))
      .when({ kind: 'expire', subject: job, now })
      .then([{ type: 'JobResumed', data: { ...job, reason: 'resumeAt reached', resumedBy: 'system', auto: true, at: '2026-03-02T09:30:00.000Z' } }]);
    d.given(paused('2026-03-02T10:30:00.000Z')).when({ kind: 'expire', subject: job, now }).then([]);
    d.given(paused()).when({ kind: 'expire', subject: job, now }).then([]);
    const resumed: PauseEvent = { type: 'JobResumed', data: { ...job, reason: 'done', resumedBy: 'bob', auto: false, at: '2026-03-02T09:10:00.000Z' } };
    d.given(paused('2026-03-02T09:30:00.000Z'), resumed).when({ kind: 'expire', subject: job, now }).then([]);
  });
});
