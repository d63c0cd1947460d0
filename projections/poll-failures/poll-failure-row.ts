import type { FailureCategory, FailureKind } from '../../src/polling/events/poll-outcome.events';

/** One failed poll (`rm_poll_failures`): what failed, when, how, and the signature of its message. */
export interface PollFailureRow {
  /** The target's key (type::name). */
  readonly target: string;
  /** The target's tenant as its event carried it (null: none, or recorded before events carried it). */
  readonly tenant: string | null;
  /** When the probe started (PollFailed.at). */
  readonly at: string;
  readonly failureKind: FailureKind;
  readonly category: FailureCategory;
  readonly statusCode: number | null;
  readonly message: string;
  readonly signature: string;
}
