/**
 * `npm run bench [-- <bench>...]`: runs every benchmark (or the named ones) one after another,
 * each in its own process, then rewrites the summary table of docs/performance.md from their
 * bench/results/<name>.json, the machine's load average beside each figure. A bench that fails,
 * hangs past --timeout-minutes, or writes no results is reported and makes the run exit non-zero.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BenchResults, loadAverages, RESULTS_DIR } from './result-file';
import { rewriteSummary } from './summary-table';

/** In the order they run (and appear in the summary table). */
const BENCHES = ['store', 'rebuild', 'jobs', 'health', 'history', 'polling', 'polling-processes', 'what-if', 'auth'] as const;

const ROOT = path.resolve(__dirname, '..');
const DOC = path.join(ROOT, 'docs', 'performance.md');
const resultFile = (bench: string) => path.join(RESULTS_DIR, `${bench}.json`);
const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : 0);

interface Outcome {
  readonly bench: string;
  readonly code: number | null;
  readonly seconds: number;
  readonly results: BenchResults | null;
}

function runOne(bench: string, timeoutMs: number): Promise<{ code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('bench', `${bench}.bench.ts`)], {
      cwd: ROOT,
      stdio: 'inherit',
      env: process.env,
    });
    const timer = setTimeout(() => {
      process.stderr.write(`bench ${bench}: still running after ${timeoutMs / 60_000} min; stopping it\n`);
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code });
    });
  });
}

async function main(names: string[], opts: { docs: boolean; timeoutMinutes: number }): Promise<void> {
  const chosen = names.length ? names : [...BENCHES];
  const outcomes: Outcome[] = [];
  for (const [i, bench] of chosen.entries()) {
    process.stderr.write(`\n== [${i + 1}/${chosen.length}] bench:${bench} (load average ${loadAverages().join(' ')}) ==\n`);
    const before = mtime(resultFile(bench));
    const t0 = Date.now();
    const { code } = await runOne(bench, opts.timeoutMinutes * 60_000);
    const fresh = mtime(resultFile(bench)) > before;
    const results = fresh ? (JSON.parse(readFileSync(resultFile(bench), 'utf8')) as BenchResults) : null;
    outcomes.push({ bench, code, seconds: Math.round((Date.now() - t0) / 1000), results });
  }

  process.stdout.write('\nbench        exit  seconds  results\n');
  for (const o of outcomes)
    process.stdout.write(
      `${o.bench.padEnd(12)} ${String(o.code ?? 'killed').padStart(4)}  ${String(o.seconds).padStart(7)}  ${o.results ? path.relative(ROOT, resultFile(o.bench)) : 'none written'}\n`,
    );

  const written = outcomes.flatMap((o) => (o.results ? [o.results] : []));
  if (opts.docs && written.length) {
    writeFileSync(DOC, rewriteSummary(readFileSync(DOC, 'utf8'), written, BENCHES));
    process.stdout.write(`summary table of ${path.relative(ROOT, DOC)} rewritten from ${written.map((r) => r.bench).join(', ')}\n`);
  }
  if (outcomes.some((o) => o.code !== 0 || !o.results)) process.exitCode = 1;
}

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};

new Command('bench')
  .description('run the benchmarks in sequence and rewrite the summary table of docs/performance.md from their results')
  .argument('[benches...]', `which to run (default: all): ${BENCHES.join(', ')}`)
  .option('--no-docs', 'leave docs/performance.md as it is')
  .option('--timeout-minutes <n>', 'stop a bench that runs longer than this', positive, 40)
  .action(async (names: string[], opts: { docs: boolean; timeoutMinutes: number }) => {
    const unknown = names.filter((n) => !(BENCHES as readonly string[]).includes(n));
    if (unknown.length) throw new InvalidArgumentError(`unknown bench ${unknown.join(', ')}: choose from ${BENCHES.join(', ')}`);
    await main(names, opts);
  })
  .parseAsync()
  .catch((err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
