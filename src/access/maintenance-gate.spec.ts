import { ActiveMaintenance, gateRefuses, maintenanceRefusal, retryAfterSeconds } from './maintenance-gate';

const now = new Date('2026-11-25T12:00:00.000Z');
const window = (mode: 'read_only' | 'offline', endsAt: string | null = null): ActiveMaintenance => ({
  tenant: 'acme',
  mode,
  banner: 'Back soon',
  startsAt: '2026-11-25T11:00:00.000Z',
  endsAt,
});
const acme = { tenant: 'acme' };

describe('gateRefuses: the one maintenance rule', () => {
  it.each([
    // [mode, token tenant, method, rule, exempt, refused]
    ['read_only', 'acme', 'POST', 'tenant', false, true],
    ['read_only', 'acme', 'put', 'tenant', false, true],
    ['read_only', 'acme', 'PATCH', 'tenant', false, true],
    ['read_only', 'acme', 'DELETE', 'tenant', false, true],
    ['read_only', 'acme', 'GET', 'tenant', false, false],
    ['read_only', 'acme', 'HEAD', 'tenant', false, false],
    ['read_only', 'acme', 'POST', 'shared', false, false],
    ['read_only', 'acme', 'PUT', 'tenant', true, false],
    ['offline', 'acme', 'GET', 'tenant', false, true],
    ['offline', 'acme', 'GET', 'shared', false, true],
    ['offline', 'acme', 'GET', 'tenant', true, false],
    ['offline', null, 'DELETE', 'tenant', false, false],
  ] as const)('%s, token of %s, %s on a %s route (exempt %s): refused %s', (mode, tenant, method, rule, exempt, refused) => {
    expect(gateRefuses({ principal: { tenant }, method, rule, exempt }, window(mode))).toBe(refused);
  });

  it('no window, or no principal (a public route): never refused', () => {
    expect(gateRefuses({ principal: acme, method: 'POST', rule: 'tenant', exempt: false }, null)).toBe(false);
    expect(gateRefuses({ principal: undefined, method: 'GET', rule: 'shared', exempt: false }, window('offline'))).toBe(false);
  });
});

describe('retryAfterSeconds and the refusal body', () => {
  it('counts the seconds to endsAt (rounded up, at least 1), or the default when open-ended', () => {
    expect(retryAfterSeconds(window('read_only', '2026-11-25T12:10:00.500Z'), now, 300)).toBe(601);
    expect(retryAfterSeconds(window('read_only', '2026-11-25T12:00:00.000Z'), now, 300)).toBe(1);
    expect(retryAfterSeconds(window('offline'), now, 300)).toBe(300);
  });
  it('carries the banner and the window', () => {
    expect(maintenanceRefusal(window('offline', '2026-11-25T13:00:00.000Z'))).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'tenant "acme" is in maintenance (offline): its requests are refused until 2026-11-25T13:00:00.000Z',
      maintenance: { tenant: 'acme', mode: 'offline', banner: 'Back soon', startsAt: '2026-11-25T11:00:00.000Z', endsAt: '2026-11-25T13:00:00.000Z' },
    });
  });
});
