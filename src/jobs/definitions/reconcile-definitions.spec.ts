import { parseJobDefinition } from './parse-job-definition';
import { decideReconcile } from './reconcile-definitions';

const defaults = { timeoutMs: 900_000, maxAttempts: 3, backoffBaseMs: 30_000, backoffMaxMs: 3_600_000 };
const parse = (raw: unknown) => parseJobDefinition(raw, 0, defaults, { allowCommand: true, baseDir: '/etc/opsledger' });

describe('reconciling job definitions', () => {
  it('reconcile: new → JobDefined, different → JobChanged with the fields, gone → JobRemoved, same → nothing', () => {
    const a = { ...parse({ name: 'a' }), source: 'config' as const };
    const b = { ...parse({ name: 'b', priority: 'high' }), source: 'config' as const };
    const stored = [
      {
        name: 'b',
        definition: parse({ name: 'b' }),
        source: 'config' as const,
        definedAt: '',
        changedAt: '',
        removedAt: null,
        missedTicks: 0,
        lastMissedTick: null,
      },
      {
        name: 'c',
        definition: parse({ name: 'c' }),
        source: 'config' as const,
        definedAt: '',
        changedAt: '',
        removedAt: null,
        missedTicks: 0,
        lastMissedTick: null,
      },
      {
        name: 'd',
        definition: parse({ name: 'd' }),
        source: 'config' as const,
        definedAt: '',
        changedAt: '',
        removedAt: null,
        missedTicks: 0,
        lastMissedTick: null,
      },
    ];
    const d = { ...parse({ name: 'd' }), source: 'config' as const };
    const out = decideReconcile([a, b, d], stored);
    expect([...out].map(([k, e]) => [k, e.type])).toEqual([
      ['a', 'JobDefined'],
      ['b', 'JobChanged'],
      ['c', 'JobRemoved'],
    ]);
    expect(out.get('b')!.data).toMatchObject({ changed: ['priority'] });
  });
});
