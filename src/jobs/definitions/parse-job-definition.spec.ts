import { parseJobDefinition } from './parse-job-definition';

const defaults = { timeoutMs: 900_000, maxAttempts: 3, backoffBaseMs: 30_000, backoffMaxMs: 3_600_000 };
const parse = (raw: unknown, allowCommand = true) => parseJobDefinition(raw, 0, defaults, { allowCommand, baseDir: '/etc/opsledger' });

describe('job definitions', () => {
  it('fills defaults and parses durations', () => {
    expect(
      parse({
        name: 'nightly',
        schedule: '0 0 2 * * *',
        timezone: 'Europe/Stockholm',
        timeout: '10m',
        expiresAfter: '2h',
        handler: { kind: 'command', argv: ['/bin/true'], cwd: 'jobs' },
      }),
    ).toMatchObject({
      priority: 'normal',
      manualRun: true,
      cancellable: false,
      timeoutMs: 600_000,
      expiresAfterMs: 7_200_000,
      maxAttempts: 3,
      catchUp: 'once',
      handler: { kind: 'command', argv: ['/bin/true'], env: [], cwd: '/etc/opsledger/jobs' },
    });
  });

  it.each([
    [{ name: 'a', schedule: '61 * * * *' }, 'job "a": field "schedule" is not a valid cron expression'],
    [{ name: 'a', schedule: '* * * * *', timezone: 'Mars/Base' }, 'job "a": field "timezone"'],
    [{ name: 'a', priority: 'urgent' }, 'job "a": field "priority" must be one of high, normal, low'],
    [{ name: 'a', timeout: 'soon' }, 'job "a": field "timeout" must be a duration'],
    [{ name: 'a', handler: { kind: 'command', argv: 'rm -rf /' } }, 'job "a": field "handler.argv"'],
    [{ name: 'a', handler: { kind: 'http', url: 'ftp://x' } }, 'job "a": field "handler.url"'],
    [{ name: 'a', retries: 3 }, 'job "a": field "retries" is not a known field'],
    [{ schedule: '* * * * *' }, 'job #1: field "name"'],
    [{ name: 'a', timeout: '1h', stuckAfter: '30m' }, 'job "a": field "stuckAfter" must not be shorter than the job\'s timeout (3600000 ms)'],
    [{ name: 'a', stuckAfter: 'later' }, 'job "a": field "stuckAfter" must be a duration'],
    [{ name: 'a', params: ['tenant', 'region'] }, 'job "a": field "params" must be a list of distinct names from tenant, dryRun, timeRange, custom'],
    [{ name: 'a', params: 'tenant' }, 'job "a": field "params" must be a list'],
    [
      { name: 'a', params: ['tenant'], handler: { kind: 'command', argv: ['/bin/x', '--from={from}'] } },
      'job "a": field "handler.argv" uses {from}, but the job does not declare the timeRange parameter',
    ],
  ])('an invalid definition names the job and the field: %j', (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });

  it('stuckAfter and params are stored only when declared (older stored definitions compare equal)', () => {
    expect(parse({ name: 'a', timeout: '1h', stuckAfter: '2h', params: ['tenant', 'timeRange'] })).toMatchObject({
      stuckAfterMs: 7_200_000,
      params: ['tenant', 'timeRange'],
    });
    const plain = parse({ name: 'a' });
    expect('stuckAfterMs' in plain || 'params' in plain).toBe(false);
  });

  it('command handlers only from the config file', () => {
    expect(() => parse({ name: 'a', handler: { kind: 'command', argv: ['/bin/true'] } }, false)).toThrow(
      'command handlers can only be declared in the config file',
    );
  });
});
