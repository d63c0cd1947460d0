import { argvWithParams } from './argv-params';

describe('argv placeholders', () => {
  const argv = ['/usr/local/bin/rollup', '--tenant={tenant}', '--dry-run={dryRun}', '--from', '{from}', '--to={to}', 'literal {x} {}'];

  it('fills every placeholder from the run parameters', () => {
    expect(argvWithParams(argv, { tenant: 'acme', dryRun: true, from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z' })).toEqual([
      '/usr/local/bin/rollup',
      '--tenant=acme',
      '--dry-run=true',
      '--from',
      '2025-03-01T00:00:00Z',
      '--to=2025-03-02T00:00:00Z',
      'literal {x} {}',
    ]);
  });

  it('leaves out an argument whose parameter was not given; dryRun defaults to false', () => {
    expect(argvWithParams(argv, {})).toEqual(['/usr/local/bin/rollup', '--dry-run=false', '--from', 'literal {x} {}']);
  });
});
