import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { flagsProjection } from './flags.projection';

let position = 0n;
const ev = (type: string, data: Record<string, unknown>): RecordedEvent =>
  ({
    eventId: `e${++position}`,
    streamId: 'flag-beta',
    revision: position,
    position,
    type,
    schemaVersion: 1,
    data: { key: 'beta', ...data },
    metadata: { occurredAt: '' },
    recordedAt: new Date(),
    checkpoint: String(position),
  }) as RecordedEvent;

describe('flags projection', () => {
  const defined = ev('FlagDefined', {
    description: 'beta UI',
    type: 'string',
    defaultValue: 'off',
    reason: 'r',
    definedBy: 'alice',
    definedAt: '2026-11-25T10:00:00.000Z',
  });
  const set = ev('FlagValueSet', { value: 'on', expiresAt: '2026-11-25T12:00:00.000Z', reason: 'trial', setBy: 'bob', setAt: '2026-11-25T11:00:00.000Z' });

  it('folds definition and value into one row per flag', () => {
    const row = foldInMemory(flagsProjection, [defined, set]).get('beta');
    expect(row).toEqual({
      key: 'beta',
      description: 'beta UI',
      type: 'string',
      defaultValue: 'off',
      current: { value: 'on', expiresAt: '2026-11-25T12:00:00.000Z', setBy: 'bob', setAt: '2026-11-25T11:00:00.000Z', reason: 'trial' },
      definedBy: 'alice',
      definedAt: '2026-11-25T10:00:00.000Z',
      updatedAt: '2026-11-25T11:00:00.000Z',
    });
  });

  it('a clear or a recorded expiry drops the value; a redefinition changes the default', () => {
    const expired = foldInMemory(flagsProjection, [
      defined,
      set,
      ev('FlagValueExpired', { expiresAt: '2026-11-25T12:00:00.000Z', recordedAt: '2026-11-25T12:00:03.000Z' }),
    ]).get('beta')!;
    expect([expired.current, expired.updatedAt]).toEqual([null, '2026-11-25T12:00:03.000Z']);
    const cleared = foldInMemory(flagsProjection, [
      defined,
      set,
      ev('FlagValueCleared', { reason: 'done', clearedBy: 'bob', clearedAt: '2026-11-25T11:30:00.000Z' }),
    ]).get('beta')!;
    expect(cleared.current).toBeNull();
    const redefined = foldInMemory(flagsProjection, [
      defined,
      ev('FlagRedefined', { description: 'beta', defaultValue: 'on', reason: 'r', redefinedBy: 'a', redefinedAt: '2026-11-25T13:00:00.000Z' }),
    ]).get('beta')!;
    expect([redefined.description, redefined.defaultValue]).toEqual(['beta', 'on']);
  });
});
