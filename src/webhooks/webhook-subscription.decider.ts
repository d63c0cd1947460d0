import { inScope } from '../access/tenant-scope';
import { Decider, Decision, reject } from '../shared/decider';
import { isPublicEventType, PUBLIC_EVENT_TYPES } from './public-event-types';
import { SealedSecret, SubscriptionSource, WebhookSubscriptionEvent } from './webhook.events';

/** The write model of one subscription stream: whether it exists and whose it is. */
export type SubscriptionState = { status: 'none' } | { status: 'active' | 'deleted'; tenant: string | null };

export interface CreateSubscription {
  kind: 'create';
  subscriptionId: string;
  tenant: string | null;
  url: string;
  eventTypes: readonly string[];
  secret: SealedSecret;
  maxConcurrency: number | null;
  description: string | null;
  source: SubscriptionSource;
  actor: string;
  now: Date;
}
export interface DeleteSubscription {
  kind: 'delete';
  subscriptionId: string;
  /** The caller's tenant scope (null: unscoped): another tenant's subscription is not found. */
  callerTenant: string | null;
  reason: string;
  actor: string;
  now: Date;
}
export type SubscriptionCommand = CreateSubscription | DeleteSubscription;

export const MAX_URL_LENGTH = 2000;

/** Why `url` cannot receive webhooks, or null. The egress policy judges the destination when sending. */
export function urlProblem(url: string): string | null {
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an absolute http or https URL';
  // Credentials in a URL end up in logs and in every read of the subscription: use the signature.
  if (u.username || u.password) return 'must not contain a user name or password (receivers authenticate deliveries by their signature)';
  return null;
}

function decideCreate(c: CreateSubscription, state: SubscriptionState): Decision<WebhookSubscriptionEvent> {
  const urlWrong = urlProblem(c.url);
  if (urlWrong) return reject('invalid', urlWrong, 'url');
  if (!c.eventTypes.length) return reject('invalid', 'must name at least one event type', 'eventTypes');
  const unknown = c.eventTypes.filter((t) => !isPublicEventType(t));
  if (unknown.length)
    return reject('invalid', `unknown event type ${unknown.map((t) => JSON.stringify(t)).join(', ')}; one of ${PUBLIC_EVENT_TYPES.join(', ')}`, 'eventTypes');
  if (c.maxConcurrency !== null && (!Number.isInteger(c.maxConcurrency) || c.maxConcurrency < 1 || c.maxConcurrency > 100))
    return reject('invalid', 'must be a whole number from 1 to 100', 'maxConcurrency');
  if (state.status !== 'none') return reject('conflict', `webhook subscription ${c.subscriptionId} exists already`);
  return [
    {
      type: 'WebhookSubscriptionCreated',
      data: {
        subscriptionId: c.subscriptionId,
        tenant: c.tenant,
        url: c.url,
        eventTypes: [...new Set(c.eventTypes)].sort(),
        secret: c.secret,
        maxConcurrency: c.maxConcurrency,
        description: c.description,
        source: c.source,
        createdBy: c.actor,
        createdAt: c.now.toISOString(),
      },
    },
  ];
}

function decideDelete(c: DeleteSubscription, state: SubscriptionState): Decision<WebhookSubscriptionEvent> {
  if (state.status !== 'active' || !inScope(c.callerTenant, state.tenant)) return reject('not_found', `no webhook subscription ${c.subscriptionId}`);
  return [
    {
      type: 'WebhookSubscriptionDeleted',
      data: { subscriptionId: c.subscriptionId, tenant: state.tenant, reason: c.reason, deletedBy: c.actor, deletedAt: c.now.toISOString() },
    },
  ];
}

export const subscriptionDecider: Decider<SubscriptionState, SubscriptionCommand, WebhookSubscriptionEvent> = {
  initialState: { status: 'none' },
  evolve: (state, e) =>
    e.type === 'WebhookSubscriptionCreated' ? { status: 'active', tenant: e.data.tenant } : state.status === 'none' ? state : { ...state, status: 'deleted' },
  decide: (c, state) => (c.kind === 'create' ? decideCreate(c, state) : decideDelete(c, state)),
};
