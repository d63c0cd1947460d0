import type { AttemptErrorKind, DeliveryStatus } from '../../src/webhooks/webhook.events';

/** What somebody did with a failed delivery in the inbox. */
export interface InboxResolution {
  readonly action: 'replayed' | 'suppressed' | 'handled';
  readonly actor: string;
  readonly reason: string;
  readonly at: string;
  readonly replayDeliveryId: string | null;
}

/** One delivery: the dispatcher picks pending ones by `nextAttemptAt`; the failures inbox lists failed ones. */
export interface WebhookDeliveryRow {
  readonly id: string;
  readonly messageId: string;
  readonly subscriptionId: string;
  readonly tenant: string | null;
  readonly eventId: string;
  readonly eventType: string;
  readonly replayOf: string | null;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly queuedAt: string;
  /** Pending: when the next attempt is due; null otherwise. */
  readonly nextAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastStatus: number | null;
  readonly lastErrorKind: AttemptErrorKind | null;
  readonly lastError: string | null;
  readonly lastResponseSnippet: string | null;
  readonly lastDurationMs: number | null;
  /** When its retries ran out (it entered the inbox). */
  readonly failedAt: string | null;
  readonly resolution: InboxResolution | null;
}
