import { Inject, Injectable } from '@nestjs/common';
import type { EventMetadata } from '../event-store/envelope';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { eventsOrThrow, fold } from '../shared/decider';
import { PurgeCommand, purgeDecider, PurgeSlotState } from './cache-purge.decider';
import { CachePurgeEvent } from './cache-purge.events';

/** The runner's steps on a slot stream (progress, finish): load, decide, append; decided again on a concurrent write. */
@Injectable()
export class PurgeSlots {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async act(stream: string, command: () => PurgeCommand, metadata: Partial<EventMetadata>): Promise<PurgeSlotState> {
    for (let attempt = 0; ; attempt++) {
      const history = await this.store.readStream(stream);
      const state = fold(
        purgeDecider,
        history.map((e) => e as unknown as CachePurgeEvent),
      );
      const events = eventsOrThrow(purgeDecider.decide(command(), state));
      try {
        await this.store.append(
          stream,
          events.map((e) => ({ ...e, metadata })),
          history.length ? BigInt(history.length - 1) : 'no_stream',
        );
        return fold(purgeDecider, events, state);
      } catch (err) {
        // A cancel request landed between the read and the append: decide again on it.
        if (err instanceof ExpectedVersionConflict && attempt < 5) continue;
        throw err;
      }
    }
  }
}
