import { loadConfig } from '../../src/config/config';

describe('webhook configuration', () => {
  it('WEBHOOK_RETRY_SCHEDULE_MS is a list of delays in milliseconds, or none', () => {
    expect(loadConfig({}).webhooks.retryScheduleMs).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000]);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: '10, 20,40' }).webhooks.retryScheduleMs).toEqual([10, 20, 40]);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: 'none' }).webhooks.retryScheduleMs).toEqual([]);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: '5s,10s' })).toThrow(
      /^WEBHOOK_RETRY_SCHEDULE_MS: must be a comma-separated list of at most 20 delays in milliseconds/,
    );
  });

  it('WEBHOOK_SECRETS_KEY and ALERT_WEBHOOK_SECRET are checked at start', () => {
    expect(() => loadConfig({ WEBHOOK_SECRETS_KEY: 'short' })).toThrow(/^WEBHOOK_SECRETS_KEY: must be at least 32 characters/);
    expect(() => loadConfig({ ALERT_WEBHOOK_SECRET: 'whsec_not base64!' })).toThrow(/^ALERT_WEBHOOK_SECRET: must be a Standard Webhooks secret/);
    expect(() => loadConfig({ ALERT_WEBHOOK_SECRET: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })).toThrow(/^ALERT_WEBHOOK_SECRET/);
    expect(loadConfig({ ALERT_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwy4vL0q7mWgA=' }).alerts.webhookSecret).toBe(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwy4vL0q7mWgA=',
    );
  });
});
