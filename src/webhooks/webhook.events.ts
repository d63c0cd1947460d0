import { DomainEvent } from '../event-store/envelope';

/** A signing secret as the log keeps it: encrypted under a server key (webhook-secret.ts), never in clear. */
export interface SealedSecret {
  /** base64url of iv (12 bytes) | tag (16 bytes) | ciphertext. */
  readonly sealed: string;
  /** Which server key sealed it (the first 16 hex digits of its fingerprint). */
  readonly keyId: string;
}

/** `api`: created by an admin; `alert-config`: an ALERT_WEBHOOK_URLS entry, reconciled at start-up. */
export type SubscriptionSource = 'api' | 'alert-config';

export type WebhookSubscriptionCreated = DomainEvent<
  'WebhookSubscriptionCreated',
  {
    subscriptionId: string;
    tenant: string | null;
    url: string;
    eventTypes: string[];
    secret: SealedSecret;
    maxConcurrency: number | null;
    description: string | null;
    source: SubscriptionSource;
    createdBy: string;
    createdAt: string;
  }
>;
export type WebhookSubscriptionDeleted = DomainEvent<
  'WebhookSubscriptionDeleted',
  { subscriptionId: string; tenant: string | null; reason: string; deletedBy: string; deletedAt: string }
>;
export type WebhookSubscriptionEvent = WebhookSubscriptionCreated | WebhookSubscriptionDeleted;

/**
 * Where one delivery stands. `failed` is an open item of the failures inbox; `replayed`,
 * `suppressed` and `handled` are inbox items somebody acted on (kept, never retried).
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'dropped' | 'failed' | 'replayed' | 'suppressed' | 'handled';

/** What one attempt came to: `http_status` is an answer outside 2xx; the others are the egress failure kinds. */
export type AttemptErrorKind = 'http_status' | 'http_timeout' | 'network_error' | 'blocked_by_policy' | 'secret_unreadable';

/** One attempt as recorded: never the response body beyond a bounded, redacted snippet. */
export interface AttemptRecord {
  readonly deliveryId: string;
  readonly subscriptionId: string;
  readonly tenant: string | null;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly status: number | null;
  readonly durationMs: number;
  readonly errorKind: AttemptErrorKind | null;
  readonly error: string | null;
  readonly responseSnippet: string | null;
  readonly attemptedAt: string;
}

/**
 * A delivery of one event to one subscription. Its id is derived from both (delivery-id.ts), so
 * queueing the same event twice for a subscription is the same stream and fails its expected
 * revision: each matching event is delivered once per subscription. A replay is a new delivery
 * with `replayOf`, sent with the original's `messageId` (the `webhook-id` header).
 */
export type WebhookDeliveryQueued = DomainEvent<
  'WebhookDeliveryQueued',
  {
    deliveryId: string;
    messageId: string;
    subscriptionId: string;
    tenant: string | null;
    eventId: string;
    eventType: string;
    replayOf: string | null;
    queuedAt: string;
  }
>;
/** A failed attempt with a retry to come at `nextAttemptAt`. */
export type WebhookDeliveryAttempted = DomainEvent<'WebhookDeliveryAttempted', AttemptRecord & { nextAttemptAt: string }>;
/** The receiver answered 2xx: the delivery is done. */
export type WebhookDeliverySucceeded = DomainEvent<'WebhookDeliverySucceeded', AttemptRecord>;
/** A failed attempt with no retry left (or the subscription is gone): the delivery is in the failures inbox. */
export type WebhookDeliveryFailed = DomainEvent<'WebhookDeliveryFailed', AttemptRecord & { eventType: string }>;

/** The subscription was deleted while the delivery waited: it is not sent (and not in the inbox). */
export type WebhookDeliveryDropped = DomainEvent<
  'WebhookDeliveryDropped',
  { deliveryId: string; subscriptionId: string; tenant: string | null; reason: 'subscription_deleted'; at: string }
>;

/** Inbox actions on a failed delivery (each caused by its audit entry). */
export type WebhookFailureReplayed = DomainEvent<
  'WebhookFailureReplayed',
  { deliveryId: string; tenant: string | null; replayDeliveryId: string; reason: string; actor: string; at: string }
>;
export type WebhookFailureSuppressed = DomainEvent<
  'WebhookFailureSuppressed',
  { deliveryId: string; tenant: string | null; reason: string; actor: string; at: string }
>;
export type WebhookFailureHandled = DomainEvent<
  'WebhookFailureHandled',
  { deliveryId: string; tenant: string | null; reason: string; actor: string; at: string }
>;

export type WebhookDeliveryEvent =
  | WebhookDeliveryQueued
  | WebhookDeliveryAttempted
  | WebhookDeliverySucceeded
  | WebhookDeliveryFailed
  | WebhookDeliveryDropped
  | WebhookFailureReplayed
  | WebhookFailureSuppressed
  | WebhookFailureHandled;

export const subscriptionStream = (id: string) => `webhook-subscription-${id}`;
export const deliveryStream = (id: string) => `webhook-delivery-${id}`;

export const SUBSCRIPTION_EVENT_TYPES = ['WebhookSubscriptionCreated', 'WebhookSubscriptionDeleted'] as const;
export const DELIVERY_EVENT_TYPES = [
  'WebhookDeliveryQueued',
  'WebhookDeliveryAttempted',
  'WebhookDeliverySucceeded',
  'WebhookDeliveryFailed',
  'WebhookDeliveryDropped',
  'WebhookFailureReplayed',
  'WebhookFailureSuppressed',
  'WebhookFailureHandled',
] as const;

/** Per event type, the data fields the timeline never serves (a sealed secret is still a secret). */
export const WEBHOOK_EVENT_SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = { WebhookSubscriptionCreated: ['secret'] };
