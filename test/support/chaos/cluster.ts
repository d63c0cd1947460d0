import path from 'node:path';
import { ExitStatus, LogLine, MainProcess } from '../main-process';

export type Mode = 'server' | 'worker';

/** One run of one process: from spawn to exit. */
export interface Life {
  readonly slot: string;
  readonly mode: Mode;
  readonly pid: number;
  readonly spawnedAt: number;
  /** When `process.started` was logged (the process is up), if it was. */
  startedAt: number | null;
  /** When the test sent SIGKILL, if it did. */
  killedAt: number | null;
  exitedAt: number | null;
  exit: ExitStatus | null;
  /** The lines the checks read (ownership, errors); the whole output is in `logFile`. */
  readonly lines: LogLine[];
  readonly logFile: string;
}

/** Log families kept in memory: who owned what and when, and anything at error level. */
const KEPT = new Set([
  'process.started',
  'scheduler.active',
  'scheduler.released',
  'scheduler.lock_lost',
  'projection.lock_acquired',
  'projection.lock_released',
  'projection.fenced',
  'worker.started',
  'worker.reaped',
  'background_job.result_discarded',
]);
const ERROR_LEVEL = 50;

/**
 * A named place for one process (server-1, worker-2, …) that can be started, killed and started
 * again; every life it had is kept for the checks.
 */
export class Slot {
  proc: MainProcess | null = null;
  readonly lives: Life[] = [];

  constructor(
    readonly name: string,
    readonly mode: Mode,
    readonly port: number | null,
    private readonly env: () => Record<string, string>,
    private readonly logDir: string,
  ) {}

  get current(): Life | null {
    return this.lives[this.lives.length - 1] ?? null;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  /** Up: `process.started` logged and not killed or exited since. */
  get up(): boolean {
    return this.running && this.current?.startedAt != null;
  }

  start(): Life {
    if (this.running) throw new Error(`${this.name} is already running`);
    const env = { ...this.env(), APP_MODE: this.mode, ...(this.port !== null ? { PORT: String(this.port) } : {}) };
    const lines: LogLine[] = [];
    const logFile = path.join(this.logDir, `${this.name}.${this.lives.length + 1}.log`);
    const proc = new MainProcess(env, {
      compiled: true,
      logFile,
      keepChars: 20_000,
      onLine: (l) => {
        if (l.event === 'process.started' && life.startedAt === null) life.startedAt = Date.parse(String(l.time));
        if ((l.event && KEPT.has(l.event)) || Number(l.level) >= ERROR_LEVEL) lines.push(l);
      },
    });
    // onLine only fires once the child writes, after `life` exists.
    const life: Life = {
      slot: this.name,
      mode: this.mode,
      pid: proc.pid,
      spawnedAt: Date.now(),
      startedAt: null,
      killedAt: null,
      exitedAt: null,
      exit: null,
      lines,
      logFile,
    };
    void proc.exited.then((s) => {
      life.exit = s;
      life.exitedAt = Date.now();
    });
    this.proc = proc;
    this.lives.push(life);
    return life;
  }

  /** SIGKILL: the time is taken before the signal is sent, so it is never after the death. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc?.running) return;
    this.current!.killedAt = Date.now();
    proc.kill('SIGKILL');
    await proc.exited;
  }

  async stop(graceMs: number): Promise<ExitStatus | null> {
    const proc = this.proc;
    if (!proc?.running) return this.current?.exit ?? null;
    return proc.stop(graceMs);
  }
}

/** When a life ended for the ownership checks: the SIGKILL time, else when it exited, else now. */
export function lifeEnd(l: Life): number {
  return l.killedAt ?? l.exitedAt ?? Date.now();
}
