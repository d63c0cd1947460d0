import type { SealedSecret, SubscriptionSource } from '../../src/webhooks/webhook.events';

export interface WebhookSubscriptionRow {
  readonly id: string;
  readonly tenant: string | null;
  readonly url: string;
  readonly eventTypes: readonly string[];
  /** Sealed: only the dispatcher opens it, and no response carries it. */
  readonly secret: SealedSecret;
  readonly maxConcurrency: number | null;
  readonly description: string | null;
  readonly source: SubscriptionSource;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Log position of its creation: it receives the events after it (never the past). */
  readonly sincePosition: string;
  readonly deletedAt: string | null;
  readonly deletedBy: string | null;
  readonly deleteReason: string | null;
}
