/**
 * Events are plain readonly objects discriminated by a hand-written, past-tense `type`.
 * `data` is the fact; `metadata` says when, why and on whose behalf it happened.
 */
export interface EventMetadata {
  readonly occurredAt: string; // RFC 3339 UTC
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: string;
  readonly tenant?: string;
  readonly [extra: string]: unknown;
}

export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/** What a caller hands to `append`. eventId is generated when absent; pass one to make retries idempotent. */
export interface EventToAppend<E extends DomainEvent = DomainEvent> {
  readonly eventId?: string;
  readonly type: E['type'];
  readonly data: E['data'];
  readonly schemaVersion?: number;
  readonly metadata?: Partial<EventMetadata>;
}

/** A stored event as every reader sees it (after upcasting). */
export interface RecordedEvent<E extends DomainEvent = DomainEvent> {
  readonly eventId: string;
  readonly streamId: string;
  /** 0-based position of the event within its stream. */
  readonly revision: bigint;
  /** Global position in the log (monotonic per store; may have gaps). */
  readonly position: bigint;
  readonly type: E['type'];
  readonly schemaVersion: number;
  readonly data: E['data'];
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
  /** Opaque resume point for readAll: pass it back to continue after this event. */
  readonly checkpoint: Checkpoint;
}

/** Opaque, store-specific, totally ordered resume point of the global log. */
export type Checkpoint = string;

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextRevision: bigint;
  readonly positions: readonly bigint[];
  readonly events: readonly RecordedEvent[];
}
