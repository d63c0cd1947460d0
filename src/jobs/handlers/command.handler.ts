import { spawn } from 'node:child_process';
import type { CommandHandlerSpec } from '../events/job-definition';
import type { HandlerContext, HandlerResult } from './handler';
import { argvWithParams } from './argv-params';
import { RingBuffer } from './ring-buffer';

/**
 * Runs argv without a shell, in its own process group, with only the allow-listed environment
 * (plus OPSLEDGER_JOB/RUN_ID/ATTEMPT/PARAMS); `{tenant}`, `{dryRun}`, `{from}`, `{to}` in argv take the
 * run's parameters (argv-params.ts). stdout and stderr go into one bounded ring buffer.
 * On abort (timeout, cancel, shutdown) the group gets SIGTERM, then SIGKILL after the grace period.
 */
export function runCommand(spec: CommandHandlerSpec, ctx: HandlerContext): Promise<HandlerResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const name of spec.env) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, {
    OPSLEDGER_JOB: ctx.job,
    OPSLEDGER_RUN_ID: ctx.runId,
    OPSLEDGER_RUN_ATTEMPT: String(ctx.attempt),
    OPSLEDGER_PARAMS: JSON.stringify(ctx.params),
  });
  const tail = new RingBuffer(ctx.logTailBytes);
  return new Promise<HandlerResult>((resolve) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const argv = argvWithParams(spec.argv, ctx.params);
    const child = spawn(argv[0], argv.slice(1), { cwd: spec.cwd, env, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => {
      tail.write(`\n[opsledger: ${String(ctx.signal.reason ?? 'abort')} → SIGTERM]\n`);
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => {
        tail.write(`\n[opsledger: still running after ${ctx.killGraceMs} ms → SIGKILL]\n`);
        signalGroup('SIGKILL');
      }, ctx.killGraceMs);
      killTimer.unref();
    };
    const finish = (r: HandlerResult) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolve(r);
    };
    child.stdout!.on('data', (c: Buffer) => tail.write(c));
    child.stderr!.on('data', (c: Buffer) => tail.write(c));
    child.on('error', (err) => finish({ ok: false, exitCode: null, logTail: tail.toString(), error: `could not start ${spec.argv[0]}: ${err.message}` }));
    child.on('exit', () => {
      // A grandchild that escaped the group could hold the pipes open; do not wait on it forever.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, 500).unref();
    });
    child.on('close', (code, signal) => {
      const aborted = ctx.signal.aborted ? String(ctx.signal.reason) : null;
      if (code === 0 && !aborted) finish({ ok: true, exitCode: 0, logTail: tail.toString(), error: null });
      else
        finish({
          ok: false,
          exitCode: code,
          logTail: tail.toString(),
          error: aborted ? `${aborted}: stopped with ${signal ?? `exit code ${code}`}` : signal ? `killed by ${signal}` : `exit code ${code}`,
        });
    });
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}
