import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Docs stand alone: no tracked file may point to documents outside the repository (a planning
 * document or numbered specs that someone who clones it does not have). Where a shape follows a
 * public product's documented API, the comment names the product and field instead.
 */
const root = join(__dirname, '..', '..');
// Case-insensitive, so capitalised and plural mentions count too; written so that this file does not match itself.
const OUTSIDE = [new RegExp(['design', '\\.md'].join(''), 'i'), new RegExp(['\\bseeds?', ' 0\\d'].join(''), 'i'), new RegExp(['\\bDESIGN', ' "'].join(''))];
/** Relative paths up into a folder named shared; an import of the repository's own src/shared (it resolves inside and exists) is fine. */
const SHARED_PATH = /(?:\.\.\/)+shared(?:\/[\w.-]+)*/g;

function pointsOutside(file: string, path: string): boolean {
  const target = join(root, dirname(file), path);
  if (relative(root, target).startsWith('..')) return true;
  return !['', '.ts', '.js', '.json'].some((ext) => existsSync(target + ext));
}

describe('the repository stands alone', () => {
  it('no tracked file mentions documents outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: root }).toString().split('\0').filter((f) => f && !f.startsWith('node_modules/') && !f.endsWith('package-lock.json'));
    const offenders: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(join(root, f), 'utf8');
      } catch {
        continue; // listed but deleted in the work tree
      }
      text.split('\n').forEach((line, i) => {
        for (const needle of OUTSIDE) if (needle.test(line)) offenders.push(`${f}:${i + 1}: ${needle.source}`);
        for (const m of line.matchAll(SHARED_PATH)) if (pointsOutside(f, m[0])) offenders.push(`${f}:${i + 1}: ${m[0]}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
