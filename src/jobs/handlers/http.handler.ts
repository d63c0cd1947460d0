import { describeTransportFailure } from '../../egress/transport-failure';
import type { HttpHandlerSpec } from '../events/job-definition';
import type { HandlerContext, HandlerResult } from './handler';
import { RingBuffer } from './ring-buffer';

/**
 * Calls the URL through the egress policy; 2xx is success. The response body (bounded) is the log
 * tail: the URL comes from the config file (an operator of the installation chose it, not an API
 * caller), and the body is the job's own output. The error text is the status or a fixed transport
 * message, never the body.
 */
export async function runHttp(spec: HttpHandlerSpec, ctx: HandlerContext): Promise<HandlerResult> {
  const tail = new RingBuffer(ctx.logTailBytes);
  const body =
    spec.body === undefined
      ? spec.method === 'GET' || spec.method === 'HEAD'
        ? undefined
        : JSON.stringify({ job: ctx.job, runId: ctx.runId, attempt: ctx.attempt, params: ctx.params })
      : typeof spec.body === 'string'
        ? spec.body
        : JSON.stringify(spec.body);
  try {
    const res = await ctx.fetch(spec.url, {
      method: spec.method,
      headers: { 'content-type': 'application/json', 'x-opsledger-run-id': ctx.runId, ...(spec.headers ?? {}) },
      body,
      signal: ctx.signal,
    });
    if (res.body) for await (const chunk of res.body as AsyncIterable<Uint8Array>) tail.write(Buffer.from(chunk));
    const ok = res.status >= 200 && res.status < 300;
    return { ok, exitCode: res.status, logTail: tail.toString(), error: ok ? null : `HTTP ${res.status}` };
  } catch (err) {
    const reason = ctx.signal.aborted ? String(ctx.signal.reason) : null;
    if (reason) return { ok: false, exitCode: null, logTail: tail.toString(), error: `${reason}: request aborted` };
    const f = describeTransportFailure(err);
    if (f.kind === 'blocked_by_policy')
      return { ok: false, exitCode: null, logTail: tail.toString(), error: `blocked_by_policy: ${f.message}`, errorKind: 'blocked_by_policy' };
    return { ok: false, exitCode: null, logTail: tail.toString(), error: `${f.kind}: ${f.message}` };
  }
}
