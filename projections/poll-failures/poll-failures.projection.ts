import type { RecordedEvent } from '../../src/event-store/envelope';
import type { PollFailed } from '../../src/polling/events/poll-outcome.events';
import { errorSignature } from '../../src/shared/error-signature';
import type { Projection } from '../projection';
import type { PollFailureRow } from './poll-failure-row';

type PollFailedData = PollFailed['data'] & { readonly tenant?: string };

/**
 * `rm_poll_failures`: one row per failed poll, keyed by its event, with the signature of its
 * message — what GET /api/failures/groups?source=polls counts over a window. The targets read
 * model keeps only each target's last error; this keeps them all (as the log does), so a window
 * of any length is exact. Messages are read through PollFailed's upcaster (v1 messages scrubbed).
 */
export const pollFailuresProjection: Projection<PollFailureRow> = {
  name: 'poll_failures',
  version: 1,
  canHandle: ['PollFailed'],
  keysOf: (e: RecordedEvent) => [e.eventId],
  evolve: (row, e) => {
    if (row) return row; // an event is folded once; a replay changes nothing
    const d = e.data as PollFailedData;
    return {
      target: d.key,
      tenant: d.tenant ?? null,
      at: d.at,
      failureKind: d.failureKind,
      category: d.category,
      statusCode: d.statusCode,
      message: d.message,
      signature: errorSignature(d.message),
    };
  },
};
