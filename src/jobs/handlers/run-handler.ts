import type { JobDefinitionSnapshot } from '../events/job-definition';
import { runCommand } from './command.handler';
import type { HandlerContext, HandlerResult } from './handler';
import { runHttp } from './http.handler';
import type { JobHandlerRegistry } from './job-handler-registry';
import { RingBuffer } from './ring-buffer';

/** Runs one attempt with the handler the definition names. Never throws: failures are results. */
export async function runHandler(def: JobDefinitionSnapshot, registry: JobHandlerRegistry, ctx: HandlerContext): Promise<HandlerResult> {
  const h = def.handler;
  if (h.kind === 'command') return runCommand(h, ctx);
  if (h.kind === 'http') return runHttp(h, ctx);
  const fn = registry.get(h.handler);
  if (!fn) return { ok: false, exitCode: null, logTail: '', error: `no code handler "${h.handler}" is registered in this process` };
  const tail = new RingBuffer(ctx.logTailBytes);
  try {
    const out = await new Promise<unknown>((resolve, reject) => {
      // A handler that ignores its signal still loses the run at the timeout.
      const onAbort = () => reject(new Error(`${String(ctx.signal.reason)}: handler aborted`));
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      fn(ctx.params, ctx.signal, (line) => tail.write(`${line}\n`))
        .then(resolve, reject)
        .finally(() => ctx.signal.removeEventListener('abort', onAbort));
    });
    if (out !== undefined && out !== null) tail.write(typeof out === 'string' ? out : JSON.stringify(out));
    return { ok: true, exitCode: 0, logTail: tail.toString(), error: null };
  } catch (err) {
    return { ok: false, exitCode: null, logTail: tail.toString(), error: err instanceof Error ? err.message : String(err) };
  }
}
