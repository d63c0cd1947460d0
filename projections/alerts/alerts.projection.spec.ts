import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { foldInMemory } from '../projection';
import { alertsProjection } from './alerts.projection';

describe('alerts projection', () => {
  it('given fired, resolved, fired again, then the row is firing with a count of two', async () => {
    const s = new InMemoryEventStore();
    const fired = (at: string) => ({
      type: 'AlertFired',
      data: { rule: 'dead_letter_nonzero', summary: '1 job run(s) dead-lettered', value: 1, pendingSince: at, firedAt: at },
    });
    await s.append(
      'alert-dead_letter_nonzero',
      [
        fired('2026-11-25T12:00:00.000Z'),
        {
          type: 'AlertResolved',
          data: {
            rule: 'dead_letter_nonzero',
            summary: '0 job run(s) dead-lettered',
            value: 0,
            firedAt: '2026-11-25T12:00:00.000Z',
            resolvedAt: '2026-11-25T12:05:00.000Z',
          },
        },
        fired('2026-11-25T12:10:00.000Z'),
      ],
      'any',
    );
    const row = foldInMemory(alertsProjection, await s.readAll(null, 10)).get('dead_letter_nonzero');
    expect(row).toEqual({
      rule: 'dead_letter_nonzero',
      state: 'firing',
      summary: '1 job run(s) dead-lettered',
      value: 1,
      pendingSince: '2026-11-25T12:10:00.000Z',
      firedAt: '2026-11-25T12:10:00.000Z',
      resolvedAt: null,
      timesFired: 2,
    });
  });
});
