import 'reflect-metadata';
import { evolveTarget, TargetState } from './target.state';
import { parseConfigTargets, reconcilePlan } from './config-targets';

const RULES = { adaptiveEnabled: true, minIntervalMs: 5000, defaultIntervalMs: 10_000 };
const entry = (name: string, url = `http://127.0.0.1:9/${name}`) => ({ type: 'instance', name, probe: { kind: 'http', url } });
const state = (name: string, source: 'api' | 'config', url = `http://127.0.0.1:9/${name}`): TargetState =>
  evolveTarget(null, {
    type: 'TargetRegistered',
    data: { key: `instance::${name}`, spec: { type: 'instance', name, probe: { kind: 'http', url } }, source, at: '2025-01-01T00:00:00.000Z' },
  })!;

describe('config file targets', () => {
  it('validates entries with the API rules, naming the entry and the field', () => {
    expect(parseConfigTargets([entry('a')], ['http'], RULES)).toEqual([{ type: 'instance', name: 'a', probe: { kind: 'http', url: 'http://127.0.0.1:9/a' } }]);
    expect(() => parseConfigTargets([entry('a'), entry('b', 'ftp://x/y')], ['http'], RULES)).toThrow(
      /targets\[1\] \(instance::b\): probe\.url: must be an http\(s\) URL/,
    );
    expect(() => parseConfigTargets([{ ...entry('a'), colour: 'red' }], ['http'], RULES)).toThrow(/targets\[0\] \(instance::a\): colour: is not a known field/);
    expect(() => parseConfigTargets([{ type: 'instance', name: 'a' }], ['http'], RULES)).toThrow(/probe/);
    expect(() => parseConfigTargets([entry('a'), entry('a')], ['http'], RULES)).toThrow(/declared twice/);
    expect(() => parseConfigTargets([{ ...entry('a'), probe: { kind: 'tcp', url: 'http://x/' } }], ['http'], RULES)).toThrow(
      /probe\.kind: unknown probe kind "tcp"/,
    );
    expect(() => parseConfigTargets([{ ...entry('a'), intervalSeconds: 0.01, adaptive: false }], ['http'], RULES)).toThrow(
      /targets\[0\] \(instance::a\): intervalSeconds: a fixed interval must be at least POLL_MIN_INTERVAL_SECONDS \(5 s\)/,
    );
    expect(() => parseConfigTargets([{ ...entry('a'), intervalSeconds: 1 }], ['http'], { ...RULES, adaptiveEnabled: false })).toThrow(
      /intervalSeconds: a fixed interval/,
    );
    expect(parseConfigTargets([{ ...entry('a'), intervalSeconds: 1 }], ['http'], RULES)[0].intervalSeconds).toBe(1); // adaptive: clamped, not refused
  });

  it('carries an optional tenant; a tenant change is a spec change', () => {
    const [spec] = parseConfigTargets([{ ...entry('t'), tenant: 'acme' }], ['http'], RULES);
    expect(spec.tenant).toBe('acme');
    expect(() => parseConfigTargets([{ ...entry('t'), tenant: 'no::pe' }], ['http'], RULES)).toThrow(/tenant: tenant must start with a letter or digit/);
    expect(reconcilePlan([spec], [state('t', 'config')]).changed.map((s) => s.tenant)).toEqual(['acme']);
  });

  it('carries an optional freshness objective, validated field by field; an objective change is a spec change', () => {
    const freshness = { objective: 99.5, maxAgeSeconds: 300, window: '30d' };
    const [spec] = parseConfigTargets([{ ...entry('f'), freshness }], ['http'], RULES);
    expect(spec.freshness).toEqual(freshness);
    expect(reconcilePlan([spec], [state('f', 'config')]).changed.map((s) => s.freshness)).toEqual([freshness]);
    const bad = (f: Record<string, unknown>) => () => parseConfigTargets([{ ...entry('f'), freshness: { ...freshness, ...f } }], ['http'], RULES);
    expect(bad({ objective: 100 })).toThrow(/targets\[0\] \(instance::f\): freshness\.objective: must be a percentage more than 0 and less than 100/);
    expect(bad({ objective: 0 })).toThrow(/freshness\.objective: must be a percentage/);
    expect(bad({ maxAgeSeconds: 59 })).toThrow(/freshness\.maxAgeSeconds: maxAgeSeconds must not be less than 60/);
    expect(bad({ maxAgeSeconds: 86_401 })).toThrow(/freshness\.maxAgeSeconds: maxAgeSeconds must not be greater than 86400/);
    expect(bad({ window: '14d' })).toThrow(/freshness\.window: window must be one of the following values: 7d, 30d/);
    expect(bad({ extra: 1 })).toThrow(/freshness\.extra: is not a known field/);
    // A fixed interval as long as maxAge can never be fresh; adaptive polling is capped below it instead.
    expect(() =>
      parseConfigTargets([{ ...entry('f'), intervalSeconds: 600, adaptive: false, freshness: { ...freshness, maxAgeSeconds: 600 } }], ['http'], RULES),
    ).toThrow(/freshness\.maxAgeSeconds: must be more than the fixed poll interval \(600 s\)/);
    expect(parseConfigTargets([{ ...entry('f'), intervalSeconds: 600, freshness: { ...freshness, maxAgeSeconds: 600 } }], ['http'], RULES)).toHaveLength(1);
  });

  it('plans added, changed and removed (only config-declared ones are removed)', () => {
    const declared = parseConfigTargets([entry('keep'), entry('moved', 'http://127.0.0.1:9/new'), entry('new')], ['http'], RULES);
    const plan = reconcilePlan(declared, [state('keep', 'config'), state('moved', 'config'), state('gone', 'config'), state('api-made', 'api')]);
    expect(plan.added.map((s) => s.name)).toEqual(['new']);
    expect(plan.changed.map((s) => s.name)).toEqual(['moved']);
    expect(plan.removed).toEqual(['instance::gone']);
  });
});
