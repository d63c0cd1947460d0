import { inScope } from '../access/tenant-scope';
import { Decider, Decision, reject } from '../shared/decider';
import { AttemptErrorKind, AttemptRecord, DeliveryStatus, WebhookDeliveryEvent } from './webhook.events';

export type DeliveryState =
  { status: 'none' } | { status: DeliveryStatus; deliveryId: string; subscriptionId: string; tenant: string | null; eventType: string; attempts: number };

/** What the sender saw: an answer (status) or a failure kind. */
export interface AttemptResult {
  readonly status: number | null;
  readonly durationMs: number;
  readonly errorKind: AttemptErrorKind | null;
  readonly error: string | null;
  readonly responseSnippet: string | null;
}

export interface QueueDelivery {
  kind: 'queue';
  deliveryId: string;
  messageId: string;
  subscriptionId: string;
  tenant: string | null;
  eventId: string;
  eventType: string;
  replayOf: string | null;
  now: Date;
}
export interface RecordAttempt {
  kind: 'record';
  result: AttemptResult;
  /** Delays before each retry; after the last one, the delivery fails for good. */
  retryScheduleMs: readonly number[];
  now: Date;
}
/** The subscription was deleted before the delivery was made: nobody wants it any more. */
export interface DropDelivery {
  kind: 'drop';
  now: Date;
}
export interface InboxAction {
  kind: 'replay' | 'suppress' | 'handle';
  /** The caller's tenant scope: another tenant's delivery is not found. */
  callerTenant: string | null;
  reason: string;
  actor: string;
  now: Date;
  /** replay only: the new delivery's id. */
  replayDeliveryId?: string;
}
export type DeliveryCommand = QueueDelivery | RecordAttempt | DropDelivery | InboxAction;

export function evolveDelivery(state: DeliveryState, e: WebhookDeliveryEvent): DeliveryState {
  if (e.type === 'WebhookDeliveryQueued') {
    const d = e.data;
    return { status: 'pending', deliveryId: d.deliveryId, subscriptionId: d.subscriptionId, tenant: d.tenant, eventType: d.eventType, attempts: 0 };
  }
  if (state.status === 'none') return state;
  switch (e.type) {
    case 'WebhookDeliveryAttempted':
      return { ...state, attempts: e.data.attempt };
    case 'WebhookDeliverySucceeded':
      return { ...state, status: 'delivered', attempts: e.data.attempt };
    case 'WebhookDeliveryFailed':
      return { ...state, status: 'failed', attempts: e.data.attempt };
    case 'WebhookDeliveryDropped':
      return { ...state, status: 'dropped' };
    case 'WebhookFailureReplayed':
      return { ...state, status: 'replayed' };
    case 'WebhookFailureSuppressed':
      return { ...state, status: 'suppressed' };
    case 'WebhookFailureHandled':
      return { ...state, status: 'handled' };
  }
}

const ok = (status: number | null) => status !== null && status >= 200 && status < 300;

function decideRecord(c: RecordAttempt, s: Exclude<DeliveryState, { status: 'none' }>): Decision<WebhookDeliveryEvent> {
  if (s.status !== 'pending') return reject('conflict', `delivery ${s.deliveryId} is ${s.status}, not pending`);
  const attempt = s.attempts + 1;
  const r = c.result;
  const record: AttemptRecord = {
    deliveryId: s.deliveryId,
    subscriptionId: s.subscriptionId,
    tenant: s.tenant,
    attempt,
    status: r.status,
    durationMs: r.durationMs,
    errorKind: ok(r.status) ? null : (r.errorKind ?? 'http_status'),
    error: ok(r.status) ? null : (r.error ?? `HTTP ${r.status}`),
    responseSnippet: ok(r.status) ? null : r.responseSnippet,
    attemptedAt: c.now.toISOString(),
  };
  if (ok(r.status)) return [{ type: 'WebhookDeliverySucceeded', data: record }];
  const delay = c.retryScheduleMs[attempt - 1];
  if (delay === undefined) return [{ type: 'WebhookDeliveryFailed', data: { ...record, eventType: s.eventType } }];
  return [{ type: 'WebhookDeliveryAttempted', data: { ...record, nextAttemptAt: new Date(c.now.getTime() + delay).toISOString() } }];
}

function decideInbox(c: InboxAction, s: DeliveryState): Decision<WebhookDeliveryEvent> {
  if (s.status === 'none' || !inScope(c.callerTenant, s.tenant)) return reject('not_found', 'no such webhook delivery');
  if (s.status !== 'failed')
    return reject(
      'conflict',
      `delivery ${s.deliveryId} is ${s.status}: only a failed delivery (in the inbox, not yet acted on) can be ${c.kind === 'handle' ? 'marked handled' : `${c.kind}ed`}`,
    );
  const base = { deliveryId: s.deliveryId, tenant: s.tenant, reason: c.reason, actor: c.actor, at: c.now.toISOString() };
  if (c.kind === 'replay') return [{ type: 'WebhookFailureReplayed', data: { ...base, replayDeliveryId: c.replayDeliveryId! } }];
  if (c.kind === 'suppress') return [{ type: 'WebhookFailureSuppressed', data: base }];
  return [{ type: 'WebhookFailureHandled', data: base }];
}

/** One delivery of one event to one subscription: queued, attempted until it succeeds or fails for good, then the inbox's actions. */
export const deliveryDecider: Decider<DeliveryState, DeliveryCommand, WebhookDeliveryEvent> = {
  initialState: { status: 'none' },
  evolve: evolveDelivery,
  decide(c, s) {
    if (c.kind === 'queue') {
      if (s.status !== 'none') return reject('conflict', `delivery ${c.deliveryId} is queued already`);
      const { kind: _k, now, ...d } = c;
      return [{ type: 'WebhookDeliveryQueued', data: { ...d, queuedAt: now.toISOString() } }];
    }
    if (c.kind === 'record') return s.status === 'none' ? reject('not_found', 'no such webhook delivery') : decideRecord(c, s);
    if (c.kind === 'drop') {
      if (s.status !== 'pending') return reject('conflict', `delivery is ${s.status}, not pending`);
      return [
        {
          type: 'WebhookDeliveryDropped',
          data: { deliveryId: s.deliveryId, subscriptionId: s.subscriptionId, tenant: s.tenant, reason: 'subscription_deleted', at: c.now.toISOString() },
        },
      ];
    }
    return decideInbox(c, s);
  },
};
