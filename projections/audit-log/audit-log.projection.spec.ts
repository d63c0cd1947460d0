import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { foldInMemory } from '../projection';
import { auditLogProjection } from './audit-log.projection';

describe('audit_log projection', () => {
  it('given two operator actions and an unrelated event, when folded, then holds one row per action', async () => {
    const store = new InMemoryEventStore();
    const action = (a: string) => ({
      type: 'OperatorActionRecorded',
      data: {
        action: a,
        target: 'job:x',
        reason: 'because',
        actor: 'alice',
        role: 'operator',
        tenant: null,
        requestId: 'r1',
        clientIp: '127.0.0.1',
        hash: 'h',
      },
      metadata: { occurredAt: '2026-11-25T10:00:00.000Z' },
    });
    await store.append('audit-2026-11-25', [action('job.run'), action('run.cancel')], 'any');
    await store.append('other', [{ type: 'Unrelated', data: {} }], 'any');
    const rows = foldInMemory(auditLogProjection, await store.readAll(null, 100));
    expect([...rows.values()].map((r) => r.action)).toEqual(['job.run', 'run.cancel']);
    const first = [...rows.values()][0];
    expect(first).toMatchObject({
      actor: 'alice',
      target: 'job:x',
      reason: 'because',
      at: '2026-11-25T10:00:00.000Z',
      atEpochMs: Date.parse('2026-11-25T10:00:00.000Z'),
      hash: 'h',
    });
  });

  it('given entries with and without an outcome, when folded, then an entry without one is applied', async () => {
    const store = new InMemoryEventStore();
    const entry = (outcome?: string) => ({
      type: 'OperatorActionRecorded',
      data: {
        action: 'job.run',
        target: 'job:x',
        reason: 'r',
        actor: 'a',
        role: 'operator',
        tenant: null,
        requestId: 'r1',
        clientIp: '',
        ...(outcome ? { outcome } : {}),
      },
    });
    await store.append('audit-2026-11-25', [entry(), entry('applied'), entry('duplicate')], 'any');
    const rows = foldInMemory(auditLogProjection, await store.readAll(null, 100));
    expect([...rows.values()].map((r) => r.outcome)).toEqual(['applied', 'applied', 'duplicate']);
  });
});
