import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allEnvVars } from '../../src/config/config';
import { replaceConfigTable } from '../../src/config/config-table';

describe('README configuration table', () => {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

  it('is the table generated from src/config (run `npm run docs:config` after adding a variable)', () => {
    expect(replaceConfigTable(readme)).toBe(readme);
  });

  it('lists every variable the service reads', () => {
    for (const v of allEnvVars()) expect(readme).toContain(`\`${v.name}\``);
  });
});
