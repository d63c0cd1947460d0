import { spec } from '../../test/support/given';
import { MaintenanceCommand, maintenanceDecider } from './maintenance.decider';
import type { MaintenanceEvent } from './maintenance.events';

const t0 = new Date('2026-11-25T12:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const acting = { tenant: 'acme', reason: 'database upgrade', actor: 'alice', now: t0 };
const banner = 'Scheduled maintenance: back at 14:00 UTC';
const schedule = (startsAt: string | null, endsAt: string | null, extra: Partial<MaintenanceCommand> = {}): MaintenanceCommand =>
  ({ kind: 'schedule', ...acting, mode: 'read_only', banner, startsAt, endsAt, ...extra }) as MaintenanceCommand;

const scheduled = (startsAt: string, endsAt: string | null, scheduledAt = iso(0), mode: 'read_only' | 'offline' = 'read_only'): MaintenanceEvent => ({
  type: 'MaintenanceScheduled',
  data: { tenant: 'acme', mode, banner, startsAt, endsAt, reason: 'database upgrade', scheduledBy: 'alice', scheduledAt },
});
const started = (startedAt: string, endsAt: string | null, recordedAt = startedAt, mode: 'read_only' | 'offline' = 'read_only'): MaintenanceEvent => ({
  type: 'MaintenanceStarted',
  data: { tenant: 'acme', mode, banner, startedAt, endsAt, recordedAt },
});

const { given } = spec(maintenanceDecider);

describe('maintenance decider', () => {
  it('given nothing, when started without startsAt, then scheduled and started now (open-ended)', () => {
    given()
      .when(schedule(null, null))
      .then([scheduled(iso(0), null), started(iso(0), null)]);
  });

  it('given nothing, when scheduled ahead, then only scheduled: the window opens by the clock', () => {
    given()
      .when(schedule(iso(60), iso(120)))
      .then([scheduled(iso(60), iso(120))]);
  });

  it('refuses an end in the past, an end not after the start and a start in the past, naming the field', () => {
    expect(
      given()
        .when(schedule(null, iso(-1)))
        .thenRejects('invalid', 'endsAt').reason,
    ).toBe('must be in the future');
    expect(
      given()
        .when(schedule(iso(60), iso(30)))
        .thenRejects('invalid', 'endsAt').reason,
    ).toBe('must be after startsAt');
    given()
      .when(schedule(iso(60), iso(60)))
      .thenRejects('invalid', 'endsAt');
    expect(
      given()
        .when(schedule(iso(-5), null))
        .thenRejects('invalid', 'startsAt').reason,
    ).toMatch(/past/);
    given().when(schedule('yesterday', null)).thenRejects('invalid', 'startsAt');
  });

  it('observe records the opening at startsAt and the closing at endsAt, each once', () => {
    const s = scheduled(iso(60), iso(120));
    given(s)
      .when({ kind: 'observe', tenant: 'acme', now: at(30) })
      .thenRejects('conflict');
    given(s)
      .when({ kind: 'observe', tenant: 'acme', now: at(61) })
      .then([started(iso(60), iso(120), iso(61))]);
    const open = started(iso(60), iso(120), iso(61));
    given(s, open)
      .when({ kind: 'observe', tenant: 'acme', now: at(90) })
      .thenRejects('conflict');
    given(s, open)
      .when({ kind: 'observe', tenant: 'acme', now: at(121) })
      .then([
        {
          type: 'MaintenanceEnded',
          data: {
            tenant: 'acme',
            mode: 'read_only',
            startedAt: iso(60),
            endedAt: iso(120),
            cause: 'window_closed',
            reason: null,
            endedBy: null,
            recordedAt: iso(121),
          },
        },
      ]);
  });

  it('a whole window missed (no process was watching) is recorded as started and ended, in order', () => {
    const decided = given(scheduled(iso(60), iso(120)))
      .when({ kind: 'observe', tenant: 'acme', now: at(500) })
      .then([started(iso(60), iso(120), iso(500)), expect.objectContaining({ type: 'MaintenanceEnded' }) as MaintenanceEvent]);
    expect(decided[1].data).toMatchObject({ startedAt: iso(60), endedAt: iso(120), cause: 'window_closed' });
  });

  it('ends an open window early with who and why; calls off one that has not opened', () => {
    given(scheduled(iso(0), null), started(iso(0), null))
      .when({ kind: 'end', ...acting, reason: 'done early', now: at(30) })
      .then([
        {
          type: 'MaintenanceEnded',
          data: {
            tenant: 'acme',
            mode: 'read_only',
            startedAt: iso(0),
            endedAt: iso(30),
            cause: 'ended_early',
            reason: 'done early',
            endedBy: 'alice',
            recordedAt: iso(30),
          },
        },
      ]);
    given(scheduled(iso(60), null))
      .when({ kind: 'end', ...acting, reason: 'postponed', now: at(30) })
      .then([
        {
          type: 'MaintenanceCancelled',
          data: { tenant: 'acme', mode: 'read_only', startsAt: iso(60), reason: 'postponed', cancelledBy: 'alice', cancelledAt: iso(30) },
        },
      ]);
  });

  it('ending a window that opened unrecorded records its start first; nothing to end conflicts', () => {
    const decided = given(scheduled(iso(60), null))
      .when({ kind: 'end', ...acting, now: at(90) })
      .then([started(iso(60), null, iso(90)), expect.objectContaining({ type: 'MaintenanceEnded' }) as MaintenanceEvent]);
    expect(decided[1].data).toMatchObject({ startedAt: iso(60), endedAt: iso(90), cause: 'ended_early' });
    given()
      .when({ kind: 'end', ...acting })
      .thenRejects('conflict');
    // Closed by its endsAt already (not yet recorded): nothing left to end.
    given(scheduled(iso(0), iso(10)), started(iso(0), iso(10)))
      .when({ kind: 'end', ...acting, now: at(20) })
      .thenRejects('conflict');
  });

  it('replacing an open window with one that opens now goes on (no new start); with a later one ends the period first', () => {
    const open = [scheduled(iso(0), iso(60)), started(iso(0), iso(60))];
    const extended = given(...open).when(schedule(null, iso(120), { mode: 'offline', now: at(30) }));
    extended.then([scheduled(iso(30), iso(120), iso(30), 'offline')]);
    expect(extended.state().window).toMatchObject({ mode: 'offline', openedAt: iso(0), endsAt: iso(120) });

    const moved = given(...open)
      .when(schedule(iso(600), iso(660), { now: at(30) }))
      .then([expect.objectContaining({ type: 'MaintenanceEnded' }) as MaintenanceEvent, scheduled(iso(600), iso(660), iso(30))]);
    expect(moved[0].data).toMatchObject({ startedAt: iso(0), endedAt: iso(30), cause: 'rescheduled', endedBy: 'alice' });
  });
});
