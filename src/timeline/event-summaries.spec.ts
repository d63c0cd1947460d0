import { RecordedEvent } from '../event-store/envelope';
import { EventSummaries, genericSummary } from './event-summaries';

const ev = (type: string, data: unknown): RecordedEvent => ({
  eventId: 'e',
  streamId: 's-1',
  revision: 0n,
  position: 1n,
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: '2026-11-25T00:00:00Z' },
  recordedAt: new Date(),
  checkpoint: '1',
});

describe('event summaries', () => {
  it('falls back to type, stream and up to four scalar fields, never secrets', () => {
    expect(genericSummary(ev('ThingBroke', { kind: 'x', n: 3, nested: { a: 1 }, tokenHash: 'abc', ok: false }))).toBe(
      'ThingBroke on s-1 (kind=x, n=3, ok=false)',
    );
  });

  it('uses a registered summary, and the generic one when it throws', () => {
    const s = new EventSummaries();
    s.register('ThingBroke', (e) => `broke: ${(e.data as { kind: string }).kind}`);
    expect(s.summarize(ev('ThingBroke', { kind: 'x' }))).toBe('broke: x');
    expect(s.summarize(ev('ThingBroke', null))).toBe('ThingBroke on s-1');
  });

  it('summarises operator actions with actor, role, action, target and reason', () => {
    expect(
      new EventSummaries().summarize(
        ev('OperatorActionRecorded', { actor: 'alice', role: 'operator', action: 'job.run', target: 'job:x', reason: 'retry after fix' }),
      ),
    ).toBe('alice (operator) job.run on job:x: "retry after fix"');
  });

  it('says when an operator action was an idempotent replay', () => {
    expect(
      new EventSummaries().summarize(
        ev('OperatorActionRecorded', { actor: 'bob', role: 'operator', action: 'job.run', target: 'job:x', reason: 'again', outcome: 'duplicate' }),
      ),
    ).toBe('bob (operator) job.run on job:x: "again" (idempotent replay, no effect)');
  });
});
