import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * A child process with ~60 MB live that allocates fast, short- and mid-lived objects (as a busy
 * scheduler does) for 3 s; answers the highest heap total it saw, in MB.
 */
function peakHeapMb(percent: number): number {
  const script = `
    require('./src/polling/scheduler/heap-growth').limitHeapGrowth(${percent});
    const live = [];
    for (let i = 0; i < 300000; i++) live.push({ a: 'x' + i, b: [i, i + 1], c: { d: i } });
    let recent = [];
    let max = 0;
    const until = Date.now() + 3000;
    (function tick() {
      for (let i = 0; i < 20000; i++) recent.push({ s: 'y' + i, arr: new Array(8).fill(i) });
      if (recent.length > 200000) recent = recent.slice(100000);
      max = Math.max(max, process.memoryUsage().heapTotal);
      if (Date.now() < until) setImmediate(tick);
      else process.stdout.write(String(Math.round(max / 2 ** 20)) + ' ' + live.length);
    })();`;
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return Number(out.split(' ')[0]);
}

describe('limitHeapGrowth', () => {
  it('keeps the heap of a fast-allocating process well below what V8 grows it to by default', () => {
    const free = peakHeapMb(0);
    const capped = peakHeapMb(50);
    expect(capped).toBeLessThan(free * 0.75);
  }, 60_000);
});
