import { inScope } from './tenant-scope';

describe('inScope: the one tenant check', () => {
  it('an unscoped caller sees everything, with or without a tenant', () => {
    expect([inScope(null, 'acme'), inScope(null, null), inScope(null, undefined)]).toEqual([true, true, true]);
  });

  it('a scoped caller sees its own tenant only: not another tenant, not what has none', () => {
    expect([inScope('acme', 'acme'), inScope('acme', 'globex'), inScope('acme', null), inScope('acme', undefined)]).toEqual([true, false, false, false]);
  });
});
