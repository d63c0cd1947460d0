import { Global, Inject, Module } from '@nestjs/common';
import { maintenanceProjection } from '../../projections/maintenance/maintenance.projection';
import { MAINTENANCE_LOOKUP } from '../access/maintenance-gate';
import { MaintenanceGateGuard } from '../access/maintenance-gate.guard';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
import { GetMaintenanceHandler } from './get-maintenance.query';
import { ListMaintenanceHandler } from './list-maintenance.query';
import { ChangeMaintenanceHandler } from './maintenance.commands';
import { MaintenanceController } from './maintenance.controller';
import type { MaintenanceCancelled, MaintenanceEnded, MaintenanceScheduled, MaintenanceStarted } from './maintenance.events';
import { MaintenanceStatusController } from './maintenance-status.controller';
import { MaintenanceWindowLoop } from './maintenance-window.loop';
import { MaintenanceWindows } from './maintenance-windows';
import { maintenanceHoldSource } from './maintenance-hold.source';
import { Holds } from '../pausing/holds.service';

const until = (endsAt: string | null) => (endsAt ? ` until ${endsAt}` : ' until ended');
const ENDINGS: Record<MaintenanceEnded['data']['cause'], string> = {
  ended_early: 'ended early',
  window_closed: 'ended (its window closed)',
  rescheduled: 'ended (rescheduled)',
};

/**
 * Per-tenant maintenance: the operator API, the public banner status, the window loop and the
 * windows every process holds in memory. Global: the request gate (AppModule's guard), ops health
 * and the pause holds read MaintenanceWindows.
 */
@Global()
@Module({
  controllers: [MaintenanceController, MaintenanceStatusController],
  providers: [
    MaintenanceWindows,
    { provide: MAINTENANCE_LOOKUP, useExisting: MaintenanceWindows },
    MaintenanceGateGuard,
    ChangeMaintenanceHandler,
    GetMaintenanceHandler,
    ListMaintenanceHandler,
    MaintenanceWindowLoop,
  ],
  exports: [MaintenanceWindows, MAINTENANCE_LOOKUP, MaintenanceGateGuard, MaintenanceWindowLoop],
})
export class MaintenanceModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries, @Inject(EVENT_STORE) store: EventStore, holds: Holds, windows: MaintenanceWindows) {
    registry.register(maintenanceProjection);
    holds.register(maintenanceHoldSource(() => windows.current()));
    store.registerInline(maintenanceProjection);
    summaries.register('MaintenanceScheduled', (e) => {
      const d = (e as unknown as MaintenanceScheduled).data;
      return `maintenance of ${d.tenant} scheduled by ${d.scheduledBy}: ${d.mode} from ${d.startsAt}${until(d.endsAt)} ("${d.reason}")`;
    });
    summaries.register('MaintenanceStarted', (e) => {
      const d = (e as unknown as MaintenanceStarted).data;
      return `${d.tenant} in maintenance (${d.mode}) from ${d.startedAt}${until(d.endsAt)}: "${d.banner}"`;
    });
    summaries.register('MaintenanceEnded', (e) => {
      const d = (e as unknown as MaintenanceEnded).data;
      return `maintenance of ${d.tenant} (${d.mode}, since ${d.startedAt}) ${ENDINGS[d.cause]} at ${d.endedAt}${d.endedBy ? ` by ${d.endedBy}` : ''}`;
    });
    summaries.register('MaintenanceCancelled', (e) => {
      const d = (e as unknown as MaintenanceCancelled).data;
      return `maintenance of ${d.tenant} planned for ${d.startsAt} called off by ${d.cancelledBy}: "${d.reason}"`;
    });
  }
}
