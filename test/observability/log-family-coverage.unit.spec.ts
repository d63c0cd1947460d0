import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LOG_FAMILIES_E2E, LOG_FAMILY_TESTS } from './log-family-tests';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The event names in the first column of the "Structured logs" table (`.fail_active` continues the name before it). */
function documentedFamilies(markdown: string): string[] {
  const section = markdown.split('## Structured logs')[1].split('\n## ')[0];
  const out: string[] = [];
  for (const line of section.split('\n')) {
    const first = /^\| (.+?) \|/.exec(line)?.[1];
    if (!first || first.startsWith('family') || first.startsWith('---')) continue;
    let lead = '';
    for (const [, name] of first.matchAll(/`([^`]+)`/g)) {
      const full = name.startsWith('.') ? lead.slice(0, lead.lastIndexOf('.')) + name : name;
      if (!name.startsWith('.')) lead = name;
      out.push(full);
    }
  }
  return out;
}

describe('every log family in docs/operations.md is read back by a test', () => {
  const families = documentedFamilies(read('docs/operations.md'));

  it('finds the families of the table', () => {
    expect(families).toEqual(
      expect.arrayContaining(['background_job_batch.claimed', 'background_job.fail_active', 'breaker.half_opened', 'audit.<action>', 'process.stopped']),
    );
    expect(families.length).toBeGreaterThan(50);
  });

  it.each(families)('%s', (family) => {
    const { file, reads = family } = LOG_FAMILY_TESTS[family] ?? { file: LOG_FAMILIES_E2E };
    expect(existsSync(path.join(root, file))).toBe(true);
    expect({ family, file, readBack: read(file).includes(reads) }).toEqual({ family, file, readBack: true });
  });

  it('names no family the table does not list', () => {
    expect(Object.keys(LOG_FAMILY_TESTS).filter((f) => !families.includes(f))).toEqual([]);
  });
});
