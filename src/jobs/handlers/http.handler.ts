import type { HttpHandlerSpec } from '../definitions/job-definition';
import type { HandlerContext, HandlerResult } from './handler';
import { RingBuffer } from './ring-buffer';

/** Calls the URL; 2xx is success. The response body (bounded) is the log tail. */
export async function runHttp(spec: HttpHandlerSpec, ctx: HandlerContext): Promise<HandlerResult> {
  const tail = new RingBuffer(ctx.logTailBytes);
  const body = spec.body === undefined ? (spec.method === 'GET' || spec.method === 'HEAD' ? undefined : JSON.stringify({ job: ctx.job, runId: ctx.runId, attempt: ctx.attempt, params: ctx.params })) : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
  try {
    const res = await fetch(spec.url, {
      method: spec.method,
      headers: { 'content-type': 'application/json', 'x-opsledger-run-id': ctx.runId, ...(spec.headers ?? {}) },
      body,
      signal: ctx.signal,
    });
    if (res.body) for await (const chunk of res.body as AsyncIterable<Uint8Array>) tail.write(Buffer.from(chunk));
    const ok = res.status >= 200 && res.status < 300;
    return { ok, exitCode: res.status, logTail: tail.toString(), error: ok ? null : `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error;
    const reason = ctx.signal.aborted ? String(ctx.signal.reason) : null;
    return { ok: false, exitCode: null, logTail: tail.toString(), error: reason ? `${reason}: request aborted` : `${e.name}: ${e.message}` };
  }
}
