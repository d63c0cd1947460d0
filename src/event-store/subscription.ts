import { RecordedEvent } from './envelope';
import { EventStore, SubscribeOptions, Subscription } from './event-store.port';
import { Waker } from '../shared/waker';

const DEFAULT_POLL_MS = 1000;

/** Catch-up then live: read batches until the log is drained, then sleep until woken or polled. */
export function startSubscription(store: Pick<EventStore, 'readAll'>, waker: Waker, options: SubscribeOptions, pollMs = DEFAULT_POLL_MS): Subscription {
  const abort = new AbortController();
  const batchSize = options.batchSize ?? 500;
  let from = options.from;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      let batch: RecordedEvent[];
      try {
        batch = await store.readAll(from, batchSize);
        if (batch.length > 0) {
          await options.onBatch(batch);
          from = batch[batch.length - 1].checkpoint;
        }
      } catch (err) {
        options.onError?.(err);
        batch = [];
      }
      if (batch.length < batchSize && !abort.signal.aborted) await waker.wait(pollMs, abort.signal);
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
