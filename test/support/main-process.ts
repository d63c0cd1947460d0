import { TEST_SERVER_KEYS } from './server-keys';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, statSync, WriteStream } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
const COMPILED_MAIN = path.join(ROOT, 'dist/src/main.js');

/** A JSON log line of a child (pino); `event` names its family. */
export interface LogLine {
  readonly event?: string;
  readonly time?: string;
  readonly [field: string]: unknown;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Every child still running, so a crashed test run does not leave them behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

function newestMtime(dir: string, keep: (file: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, keep));
    else if (keep(p)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Compiles `dist/` (plain tsc over tsconfig.build.json, so a running `dist` is overwritten, not
 * deleted) when it is missing or older than any source it is built from. Tests that start many
 * processes run the compiled entry point: ts-node would transpile every file in every process.
 */
export function ensureBuilt(): void {
  const sources = Math.max(
    ...['src', 'projections', 'migrations'].map((d) => newestMtime(path.join(ROOT, d), (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))),
    ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(path.join(ROOT, f)).mtimeMs),
  );
  if (existsSync(COMPILED_MAIN) && statSync(COMPILED_MAIN).mtimeMs >= sources) return;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export interface MainOptions {
  /** Run dist/src/main.js (call ensureBuilt first) instead of src/main.ts through ts-node. */
  readonly compiled?: boolean;
  /** Every byte the child writes (stdout and stderr) is appended here too. */
  readonly logFile?: string;
  /** Called with each JSON line of stdout as it arrives. */
  readonly onLine?: (line: LogLine) => void;
  /** Most characters of output kept in memory (the newest). */
  readonly keepChars?: number;
}

/**
 * One real `opsledger` process (the program's entry point, as `npm start` runs it). The child gets
 * only the given environment plus PATH, so nothing from the test's shell leaks in.
 */
export class MainProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ExitStatus>;
  private out = '';
  private partial = '';
  private readonly file: WriteStream | null;

  constructor(
    env: Record<string, string | undefined>,
    private readonly opts: MainOptions = {},
  ) {
    const args = opts.compiled ? [COMPILED_MAIN] : ['-r', 'ts-node/register/transpile-only', 'src/main.ts'];
    this.file = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : null;
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...TEST_SERVER_KEYS, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.child);
    this.child.stdout!.on('data', (d: Buffer) => this.take(String(d), true));
    this.child.stderr!.on('data', (d: Buffer) => this.take(String(d), false));
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => {
        live.delete(this.child);
        resolve({ code: null, signal: null });
      });
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        this.file?.end();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The newest output (stdout and stderr interleaved). */
  get output(): string {
    return this.out;
  }

  private take(text: string, stdout: boolean): void {
    this.file?.write(text);
    const keep = this.opts.keepChars ?? 200_000;
    this.out = (this.out + text).slice(-keep);
    if (!stdout || !this.opts.onLine) return;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) {
      if (!l.startsWith('{')) continue;
      try {
        this.opts.onLine(JSON.parse(l));
      } catch {
        /* not JSON */
      }
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<ExitStatus> {
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(t);
    }
  }
}

/** Kills every child this module started that still runs (afterAll of any test that spawns). */
export async function killAllMainProcesses(): Promise<void> {
  const waits = [...live].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('close', r))));
  for (const c of live) c.kill('SIGKILL');
  await Promise.all(waits);
}
