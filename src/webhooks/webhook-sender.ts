import { Webhook } from 'standardwebhooks';
import type { EgressFetch } from '../egress/egress-fetch';
import { describeTransportFailure } from '../egress/transport-failure';
import { readSnippet } from './response-snippet';
import type { AttemptResult } from './webhook-delivery.decider';

export interface AttemptRequest {
  readonly url: string;
  /** The opened signing secret; null when it could not be opened (recorded as `secret_unreadable`). */
  readonly secret: string | null;
  /** `webhook-id`: the same on every retry and replay of one message, so receivers can drop repeats. */
  readonly messageId: string;
  readonly body: string;
  readonly timeoutMs: number;
  readonly snippetBytes: number;
  readonly now: Date;
  /** Shutdown: the attempt is abandoned, not recorded (it is made again after the restart). */
  readonly stop: AbortSignal;
}

/** Thrown when the process stops mid-attempt: nothing is known about it, so nothing is recorded. */
export class AttemptAbandoned extends Error {
  constructor() {
    super('the webhook attempt was abandoned at shutdown');
  }
}

/**
 * One POST through the egress policy (the one outbound path: a refused destination is a failed
 * attempt with kind `blocked_by_policy`), signed with the `standardwebhooks` library. Redirects are
 * not followed: a 3xx is a failed attempt like any answer outside 2xx.
 */
export async function sendAttempt(egressFetch: EgressFetch, r: AttemptRequest): Promise<AttemptResult> {
  if (r.secret === null) {
    return {
      status: null,
      durationMs: 0,
      errorKind: 'secret_unreadable',
      error: 'the signing secret cannot be opened with this server key (was WEBHOOK_SECRETS_KEY or TOKEN_HASH_KEY changed?)',
      responseSnippet: null,
    };
  }
  const timeout = AbortSignal.timeout(r.timeoutMs);
  const signal = AbortSignal.any([timeout, r.stop]);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await egressFetch(r.url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      body: r.body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'opsledger-webhooks',
        'webhook-id': r.messageId,
        'webhook-timestamp': String(Math.floor(r.now.getTime() / 1000)),
        'webhook-signature': new Webhook(r.secret).sign(r.messageId, r.now, r.body),
      },
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => undefined); // the answer's body is not needed
      return { status: res.status, durationMs: elapsed(), errorKind: null, error: null, responseSnippet: null };
    }
    const responseSnippet = await readSnippet(res.body, r.snippetBytes);
    if (r.stop.aborted) throw new AttemptAbandoned();
    return { status: res.status, durationMs: elapsed(), errorKind: 'http_status', error: `HTTP ${res.status}`, responseSnippet };
  } catch (err) {
    if (r.stop.aborted) throw new AttemptAbandoned();
    if (timeout.aborted)
      return { status: null, durationMs: elapsed(), errorKind: 'http_timeout', error: `no answer within ${r.timeoutMs} ms`, responseSnippet: null };
    const f = describeTransportFailure(err);
    return { status: null, durationMs: elapsed(), errorKind: f.kind, error: f.message, responseSnippet: null };
  }
}
