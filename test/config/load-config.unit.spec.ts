import { allEnvVars, ConfigError, loadConfig } from '../../src/config/config';
import { APP_MODES } from '../../src/config/core.env';

function rejection(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.core.port).toBe(3000);
    expect(c.core.appMode).toBe('all');
    expect(c.core.databaseUrl).toBeUndefined();
    expect(c.auth.cacheMs).toBe(1000);
  });

  it('refuses a default bulk-retry cap above the highest one', () => {
    const err = rejection({ FAILURES_RETRY_CAP_DEFAULT: '500', FAILURES_RETRY_CAP_MAX: '100' });
    expect(err.message).toMatch(/FAILURES_RETRY_CAP_DEFAULT.*must not be above FAILURES_RETRY_CAP_MAX \(100\), got 500/);
    expect(loadConfig({ FAILURES_RETRY_CAP_DEFAULT: '100', FAILURES_RETRY_CAP_MAX: '100' }).failures.retryCapMax).toBe(100);
  });

  it('parses good values', () => {
    const c = loadConfig({ PORT: '8080', APP_MODE: 'worker', AUTH_CACHE_MS: '0', LOG_LEVEL: 'debug' });
    expect([c.core.port, c.core.appMode, c.auth.cacheMs, c.core.logLevel]).toEqual([8080, 'worker', 0, 'debug']);
  });

  const bad: [string, string, RegExp][] = [
    ['PORT', 'abc', /whole number from 0 to 65535/],
    ['PORT', '70000', /whole number from 0 to 65535/],
    ['PORT', '-1', /whole number/],
    ['PORT', '80.5', /whole number/],
    ['APP_MODE', 'sideways', new RegExp(`one of ${APP_MODES.join(', ')}`)],
    ['LOG_LEVEL', 'loud', /one of fatal, error, warn, info, debug, trace, silent/],
    ['DB_POOL_SIZE', '1', /from 2 to 500/],
    ['PROJECTIONS_AUTO_REBUILD', 'maybe', /true or false/],
    ['AUTH_CACHE_MS', '-5', /whole number from 0 to 60000/],
    ['AUTH_CACHE_MS', '3600000', /whole number from 0 to 60000/],
  ];
  it.each(bad)('rejects %s=%s, naming the variable and what is allowed', (name, value, allowed) => {
    const err = rejection({ [name]: value });
    expect(err.variable).toBe(name);
    expect(err.message.startsWith(`${name}: `)).toBe(true);
    expect(err.message).toMatch(allowed);
    expect(err.message).toContain(value);
  });

  it('reports the variable even when other variables are fine', () => {
    expect(rejection({ PORT: '3000', HOST: '127.0.0.1', APP_MODE: 'nope' }).variable).toBe('APP_MODE');
  });

  describe('every declared variable', () => {
    const vars = allEnvVars();

    it('has a unique name, a description and a default that parses', () => {
      expect(vars.length).toBeGreaterThan(10);
      expect(new Set(vars.map((v) => v.name)).size).toBe(vars.length);
      for (const v of vars) {
        expect({ name: v.name, description: v.description.length > 10 }).toEqual({ name: v.name, description: true });
        expect(() => v.parse(undefined)).not.toThrow();
      }
    });

    it('either accepts a garbage value or rejects it naming itself', () => {
      const garbage = '\u00a7not-a-value';
      const accepted: string[] = [];
      const rejected: string[] = [];
      for (const v of vars) {
        let value: unknown;
        try {
          value = v.parse(garbage);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect({ name: v.name, variable: (err as ConfigError).variable, named: (err as ConfigError).message.startsWith(`${v.name}: `) }).toEqual({
            name: v.name,
            variable: v.name,
            named: true,
          });
          rejected.push(v.name);
          continue;
        }
        // Accepted only as free text, kept as given (a parser that turned it into NaN, a default or
        // a truncated value would be accepting garbage silently).
        expect({ name: v.name, value }).toEqual({ name: v.name, value: garbage });
        accepted.push(v.name);
      }
      expect(accepted.length + rejected.length).toBe(vars.length);
      expect(rejected.length).toBeGreaterThan(accepted.length);
      expect(rejected).toEqual(expect.arrayContaining(['PORT', 'APP_MODE', 'LOG_LEVEL', 'DB_POOL_SIZE', 'PROJECTIONS_AUTO_REBUILD', 'AUTH_CACHE_MS']));
    });
  });
});
