import { spec } from '../../test/support/given';
import { LoopPauseEvent } from './loop-pause.events';
import { loopPauseDecider } from './loop-pause.decider';

const now = new Date('2026-03-02T10:00:00.000Z');
const paused = (resumeAt: string | null = null): LoopPauseEvent => ({
  type: 'LoopPaused',
  data: { loop: 'job-worker', reason: 'deploy', resumeAt, pausedBy: 'alice', at: '2026-03-02T09:00:00.000Z' },
});

describe('loop pause decider', () => {
  const d = spec(loopPauseDecider);

  it('pauses a running loop, with or without a time to resume by itself', () => {
    d.given()
      .when({ kind: 'pause', loop: 'job-worker', reason: 'deploy', resumeAt: null, actor: 'alice', now })
      .then([{ type: 'LoopPaused', data: { loop: 'job-worker', reason: 'deploy', resumeAt: null, pausedBy: 'alice', at: now.toISOString() } }]);
    d.given()
      .when({ kind: 'pause', loop: 'poll-scheduler', reason: 'db maintenance', resumeAt: '2026-03-02T11:00:00+00:00', actor: 'bob', now })
      .then([
        {
          type: 'LoopPaused',
          data: { loop: 'poll-scheduler', reason: 'db maintenance', resumeAt: '2026-03-02T11:00:00.000Z', pausedBy: 'bob', at: now.toISOString() },
        },
      ]);
  });

  it('refuses a resumeAt that is not in the future (naming the field), and a second pause', () => {
    d.given().when({ kind: 'pause', loop: 'job-worker', reason: 'x', resumeAt: '2026-03-02T10:00:00Z', actor: 'a', now }).thenRejects('invalid', 'resumeAt');
    d.given(paused()).when({ kind: 'pause', loop: 'job-worker', reason: 'x', resumeAt: null, actor: 'a', now }).thenRejects('conflict');
  });

  it('resumes a paused loop; refuses when not paused, or when the pause has run out by itself', () => {
    d.given(paused())
      .when({ kind: 'resume', loop: 'job-worker', reason: 'done', actor: 'bob', now })
      .then([{ type: 'LoopResumed', data: { loop: 'job-worker', reason: 'done', resumedBy: 'bob', at: now.toISOString() } }]);
    d.given().when({ kind: 'resume', loop: 'job-worker', reason: 'done', actor: 'bob', now }).thenRejects('conflict');
    d.given(paused('2026-03-02T09:30:00.000Z')).when({ kind: 'resume', loop: 'job-worker', reason: 'done', actor: 'bob', now }).thenRejects('conflict');
    // ...and an ended pause does not block a new one.
    d.given(paused('2026-03-02T09:30:00.000Z'))
      .when({ kind: 'pause', loop: 'job-worker', reason: 'again', resumeAt: null, actor: 'a', now })
      .then([{ type: 'LoopPaused', data: { loop: 'job-worker', reason: 'again', resumeAt: null, pausedBy: 'a', at: now.toISOString() } }]);
  });
});
