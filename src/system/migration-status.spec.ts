import type { ProjectionStatus } from '../projection-runner/projection-status';
import { migrationStatus, MigrationFacts } from './migration-status';

const live: ProjectionStatus = {
  name: 'tokens',
  version: 2,
  storedVersion: 2,
  checkpoint: '1:10',
  position: 10,
  lag: { events: 0, seconds: 0 },
  state: 'live',
  error: null,
  errorAt: null,
  eventsProcessed: 10,
  lastEventAt: null,
  updatedAt: null,
  running: true,
  rebuild: null,
  rebuildRequestedAt: null,
  rebuiltAt: null,
};
const at = new Date('2026-11-25T12:00:00Z');
const facts: MigrationFacts = {
  code: [
    { name: 'A1', timestamp: 1 },
    { name: 'B2', timestamp: 2 },
  ],
  applied: [
    { name: 'A1', appliedAt: at },
    { name: 'B2', appliedAt: null },
  ],
  lastRun: { startedAt: at, finishedAt: at, applied: ['A1'], error: null, instance: 'h:1' },
  projections: [live],
  head: 100,
};

describe('migrationStatus', () => {
  it('settled: every migration applied, every projection at its code version with nothing due', () => {
    const s = migrationStatus(facts);
    expect(s.settled).toBe(true);
    expect(s.migrations).toEqual([
      { name: 'A1', timestamp: 1, state: 'applied', appliedAt: '2026-11-25T12:00:00.000Z' },
      { name: 'B2', timestamp: 2, state: 'applied', appliedAt: null },
    ]);
    expect(s.projections[0]).toMatchObject({ settled: true, rebuild: { pending: false, running: false, progress: null } });
    expect(s.lastRun).toMatchObject({ applied: ['A1'], startedAt: '2026-11-25T12:00:00.000Z' });
  });

  it('a migration in code but not in the table is pending', () => {
    const s = migrationStatus({ ...facts, applied: facts.applied.slice(0, 1) });
    expect([s.settled, s.pending, s.migrations[1].state]).toEqual([false, ['B2'], 'pending']);
  });

  it('a version change or a request is a pending rebuild; a rebuild in flight shows its progress', () => {
    expect(migrationStatus({ ...facts, projections: [{ ...live, storedVersion: 1 }] }).projections[0]).toMatchObject({
      settled: false,
      rebuild: { pending: true, running: false },
    });
    expect(migrationStatus({ ...facts, projections: [{ ...live, rebuildRequestedAt: '2026-11-25T12:00:00Z' }] }).settled).toBe(false);
    const running = migrationStatus({
      ...facts,
      projections: [{ ...live, storedVersion: 1, state: 'rebuilding', rebuild: { reason: 'version 1 → 2', startedAt: null, position: 25 } }],
    });
    expect(running.settled).toBe(false);
    expect(running.projections[0].rebuild).toEqual({ pending: false, running: true, position: 25, head: 100, progress: 0.25, reason: 'version 1 → 2' });
  });

  it('a failed projection, or one never started (no stored version), is not settled', () => {
    expect(migrationStatus({ ...facts, projections: [{ ...live, state: 'failed', error: 'boom' }] }).settled).toBe(false);
    expect(migrationStatus({ ...facts, projections: [{ ...live, storedVersion: null, state: 'stopped' }] }).projections[0]).toMatchObject({
      settled: false,
      rebuild: { pending: false },
    });
  });

  it('names migrations applied by newer code (a rollback) without unsettling', () => {
    expect(migrationStatus({ ...facts, applied: [...facts.applied, { name: 'C3', appliedAt: at }] }).unknownApplied).toEqual(['C3']);
  });
});
