import { planTicks } from './plan-ticks';

const t = (s: string) => new Date(`2025-03-01T${s}Z`);

describe('planTicks', () => {
  it('given the last tick a second ago, when the next second passes, then exactly that tick is due', () => {
    expect(planTicks('* * * * * *', 'UTC', t('10:00:00'), t('10:00:01.200'), 5000, 'once')).toEqual({ due: [t('10:00:01')], missed: [], catchUp: [] });
  });

  it('given no tick since the last one, nothing is due', () => {
    expect(planTicks('*/10 * * * * *', 'UTC', t('10:00:00'), t('10:00:09.999'), 5000, 'once').due).toEqual([]);
  });

  it('given a process down for 5 minutes on a per-minute job, then 4 missed ticks and (policy once) one catch-up run', () => {
    const p = planTicks('* * * * *', 'UTC', t('10:00:00'), t('10:04:30'), 20_000, 'once');
    expect(p.missed).toEqual([t('10:01:00'), t('10:02:00'), t('10:03:00'), t('10:04:00')]);
    expect(p.catchUp).toEqual([t('10:04:00')]);
    expect(p.due).toEqual([]);
  });

  it('policy once does not catch up when a tick is due now; all runs every missed tick; skip runs none', () => {
    const once = planTicks('* * * * *', 'UTC', t('10:00:00'), t('10:03:00.500'), 10_000, 'once');
    expect(once).toEqual({ due: [t('10:03:00')], missed: [t('10:01:00'), t('10:02:00')], catchUp: [] });
    expect(planTicks('* * * * *', 'UTC', t('10:00:00'), t('10:03:00.500'), 10_000, 'all').catchUp).toEqual([t('10:01:00'), t('10:02:00')]);
    expect(planTicks('* * * * *', 'UTC', t('10:00:00'), t('10:03:30'), 10_000, 'skip').catchUp).toEqual([]);
  });

  it('honours the time zone', () => {
    // 06:00 in Stockholm (UTC+1 in winter) is 05:00 UTC.
    expect(planTicks('0 6 * * *', 'Europe/Stockholm', t('00:00:00'), t('05:00:01'), 60_000, 'once').due).toEqual([t('05:00:00')]);
  });
});
