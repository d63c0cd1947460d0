import { pollingEnv } from '../config/polling.env';
import { inQuietHours } from './quiet-hours';

const w = pollingEnv.quietHours.parse('21:00-06:00');

describe('quiet hours', () => {
  it('wraps midnight', () => {
    expect(inQuietHours(new Date('2025-10-20T22:30:00Z'), w, 'UTC')).toBe(true);
    expect(inQuietHours(new Date('2025-10-20T05:59:00Z'), w, 'UTC')).toBe(true);
    expect(inQuietHours(new Date('2025-10-20T06:00:00Z'), w, 'UTC')).toBe(false);
    expect(inQuietHours(new Date('2025-10-20T12:00:00Z'), w, 'UTC')).toBe(false);
  });

  it('reads the window in the configured time zone', () => {
    // 20:30 UTC is 22:30 in Paris (CEST, UTC+2) on 2025-06-01.
    expect(inQuietHours(new Date('2025-06-01T20:30:00Z'), w, 'Europe/Paris')).toBe(true);
    expect(inQuietHours(new Date('2025-06-01T20:30:00Z'), w, 'UTC')).toBe(false);
  });

  it('"off" disables it; a bad value names the variable', () => {
    expect(inQuietHours(new Date(), pollingEnv.quietHours.parse('off'), 'UTC')).toBe(false);
    expect(() => pollingEnv.quietHours.parse('25:00-06:00')).toThrow(/QUIET_HOURS/);
    expect(() => pollingEnv.quietHoursTz.parse('Mars/Olympus')).toThrow(/QUIET_HOURS_TZ/);
  });
});
