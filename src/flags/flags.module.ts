import { Inject, Module } from '@nestjs/common';
import { flagsProjection } from '../../projections/flags/flags.projection';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
import { ChangeFlagHandler } from './flag.commands';
import { FlagExpiryLoop } from './flag-expiry.loop';
import { FlagHistoryHandler } from './flag-history.query';
import { FlagsController } from './flags.controller';
import { GetFlagHandler } from './get-flag.query';
import { ListFlagsHandler } from './list-flags.query';
import { OfrepController } from './ofrep.controller';

/** Global feature flags: the operator API, the OFREP evaluation endpoints and the expiry loop. */
@Module({
  controllers: [FlagsController, OfrepController],
  providers: [ChangeFlagHandler, ListFlagsHandler, GetFlagHandler, FlagHistoryHandler, FlagExpiryLoop],
  exports: [FlagExpiryLoop],
})
export class FlagsModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries, @Inject(EVENT_STORE) store: EventStore) {
    registry.register(flagsProjection);
    store.registerInline(flagsProjection);
    const d = (e: { data: unknown }) => e.data as Record<string, unknown>;
    const show = (v: unknown) => JSON.stringify(v);
    summaries.register('FlagDefined', (e) => `flag ${d(e).key} defined (${d(e).type}, default ${show(d(e).defaultValue)}) by ${d(e).definedBy}`);
    summaries.register('FlagRedefined', (e) => `flag ${d(e).key} redefined (default ${show(d(e).defaultValue)}) by ${d(e).redefinedBy}`);
    summaries.register(
      'FlagValueSet',
      (e) => `flag ${d(e).key} set to ${show(d(e).value)}${d(e).expiresAt ? ` until ${d(e).expiresAt}` : ''} by ${d(e).setBy}`,
    );
    summaries.register('FlagValueCleared', (e) => `flag ${d(e).key} cleared (back to its default) by ${d(e).clearedBy}`);
    summaries.register('FlagValueExpired', (e) => `flag ${d(e).key}: temporary value expired at ${d(e).expiresAt}`);
  }
}
