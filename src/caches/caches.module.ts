import { Inject, Module } from '@nestjs/common';
import { cachePurgesProjection } from '../../projections/cache-purges/cache-purges.projection';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
import { CacheClients } from './cache-clients';
import type { PurgeMatch } from './cache-purge.events';
import { describeMatch } from './purge-slot';
import { CancelPurgeHandler, StartPurgeHandler } from './cache-purge.commands';
import { CachesController } from './caches.controller';
import { PurgeRunner } from './purge-runner';
import { PurgeSlots } from './purge-slot.repository';
import { PurgesHandler } from './purges.query';

/** Throttled purges of the named Redis caches (CACHES), tracked as events. */
@Module({
  controllers: [CachesController],
  providers: [CacheClients, PurgeSlots, PurgeRunner, StartPurgeHandler, CancelPurgeHandler, PurgesHandler],
})
export class CachesModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries, @Inject(EVENT_STORE) store: EventStore) {
    registry.register(cachePurgesProjection);
    store.registerInline(cachePurgesProjection);
    type Data = { cache: string; match: PurgeMatch; startedBy: string; removed: number; requestedBy: string; outcome: string; error: string | null };
    const d = (e: { data: unknown }) => e.data as Data;
    summaries.register('CachePurgeStarted', (e) => `purge of ${describeMatch(d(e).match)} in cache ${d(e).cache} started by ${d(e).startedBy}`);
    summaries.register('CachePurgeProgressed', (e) => `purge in cache ${d(e).cache}: ${d(e).removed} keys removed so far`);
    summaries.register('CachePurgeCancelRequested', (e) => `purge in cache ${d(e).cache}: cancel requested by ${d(e).requestedBy}`);
    summaries.register(
      'CachePurgeFinished',
      (e) => `purge in cache ${d(e).cache} ${d(e).outcome}: ${d(e).removed} keys removed${d(e).error ? ` (${d(e).error})` : ''}`,
    );
  }
}
