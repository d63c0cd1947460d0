/**
 * What every benchmark hands to `npm run bench`: one JSON file per bench in bench/results/
 * (`{ bench, at, loadavg, rows }`), which bench/run-all.ts turns into the summary table of
 * docs/performance.md. Writing the results also arms the exit guard: a bench is done once it
 * has printed them, so anything that keeps the process alive afterwards is a bug to name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';

export interface ResultRow {
  /** What was measured, as the summary table's first column says it. */
  readonly work: string;
  readonly figure: number;
  readonly unit: string;
  /** The peer measured in the same run (null when there is none). */
  readonly reference: string | null;
  readonly referenceFigure: number | null;
  /** figure / referenceFigure, or whatever ratio the row states (lower is better for latencies: say so in `goal`). */
  readonly ratio: number | null;
  readonly goal: string | null;
}

export interface BenchResults {
  readonly bench: string;
  /** ISO time the results were written. */
  readonly at: string;
  /** The machine's 1, 5 and 15 minute load averages when the results were written. */
  readonly loadavg: readonly number[];
  readonly rows: readonly ResultRow[];
  /** Anything else the bench wants to keep (its own detailed figures). */
  readonly details?: unknown;
}

export const RESULTS_DIR = path.resolve(__dirname, 'results');

export const loadAverages = () => loadavg().map((l) => Math.round(l * 100) / 100);

export const ratioOf = (figure: number, reference: number) => (reference > 0 ? Math.round((figure / reference) * 100) / 100 : null);

/** Writes bench/results/<bench>.json and arms the exit guard. Returns the file's path. */
export function writeResults(bench: string, rows: readonly ResultRow[], details?: unknown): string {
  const results: BenchResults = { bench, at: new Date().toISOString(), loadavg: loadAverages(), rows, ...(details === undefined ? {} : { details }) };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${bench}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  process.stderr.write(`${bench}: results in ${path.relative(process.cwd(), file)} (load average ${results.loadavg.join(' ')})\n`);
  armExitGuard(bench);
  return file;
}

/** BENCH_EXIT_GRACE_MS: how long a bench may take to shut down after writing its results. */
const GRACE_MS = Number(process.env.BENCH_EXIT_GRACE_MS ?? 30_000);

/**
 * A bench that is still alive GRACE_MS after its results prints what keeps it alive and exits
 * non-zero. The timer is unref'd: a bench that lets go of everything exits before it fires.
 */
export function armExitGuard(bench: string, graceMs = GRACE_MS): void {
  setTimeout(() => {
    process.stderr.write(
      `${bench}: still running ${graceMs} ms after writing its results; kept alive by ${JSON.stringify(process.getActiveResourcesInfo())}\n`,
    );
    process.exit(3);
  }, graceMs).unref();
}

/** The usual end of a bench's main(): a failure exits 1, success lets the process end by itself. */
export function runBench(bench: string, main: () => Promise<void>): void {
  main().catch((err) => {
    process.stderr.write(`bench:${bench} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
