import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import { inScope } from '../access/tenant-scope';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import { sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold } from '../shared/decider';
import { NotFound } from '../shared/errors';
import { MaintenanceCommand, maintenanceDecider } from './maintenance.decider';
import { MaintenanceEvent, MaintenanceMode, maintenanceStream } from './maintenance.events';
import { MaintenanceWindows } from './maintenance-windows';
import { maintenanceView, MaintenanceView } from './maintenance.view';

export type MaintenanceChange =
  | { readonly kind: 'schedule'; readonly mode: MaintenanceMode; readonly banner: string; readonly startsAt: string | null; readonly endsAt: string | null }
  | { readonly kind: 'end' };

/** Start, schedule or replace a tenant's window, or end it: one audited unit answering with the tenant's maintenance. */
export class ChangeMaintenanceCommand extends Command<MaintenanceView> {
  constructor(
    readonly ctx: OperatorContext,
    readonly tenant: string,
    readonly reason: string,
    readonly change: MaintenanceChange,
  ) {
    super();
  }
}

/** The same answer for another tenant's and a missing one's (a scoped token cannot tell them apart). */
export const foreignTenant = () => new NotFound("no such tenant for this token: a tenant-scoped token manages its own tenant's maintenance only");

/**
 * Load the tenant's stream, decide, then audit entry + events + the inline row in one unit (all or
 * nothing). The effects carry the tenant in their metadata, so its timeline shows them whoever acted.
 */
export async function changeMaintenance(
  audit: AuditRecorder,
  ctx: OperatorContext,
  action: { action: string; tenant: string; reason: string },
  command: (now: Date) => MaintenanceCommand,
  details: Record<string, unknown>,
  clock: Clock,
): Promise<MaintenanceRow> {
  const stream = maintenanceStream(action.tenant);
  return audit.act(
    ctx,
    { action: action.action, target: `tenant:${action.tenant}`, reason: action.reason },
    {
      apply: async (unit) => {
        const history = await unit.uow.readStream(stream);
        const state = fold(
          maintenanceDecider,
          history.map((e) => e as unknown as MaintenanceEvent),
        );
        const events = eventsOrThrow(maintenanceDecider.decide(command(clock.now()), state));
        await unit.record('applied', { tenant: action.tenant, ...details });
        await unit.uow.append(
          stream,
          events.map((e) => ({ ...e, metadata: { ...unit.metadata, tenant: action.tenant } })),
          history.length ? BigInt(history.length - 1) : 'no_stream',
        );
        const { rows } = await sqlOf(unit.uow).query<{ doc: MaintenanceRow }>('SELECT doc FROM rm_maintenance WHERE key = $1', [action.tenant]);
        return rows[0].doc;
      },
    },
    { conflictRetries: 3 },
  );
}

@CommandHandler(ChangeMaintenanceCommand)
export class ChangeMaintenanceHandler implements ICommandHandler<ChangeMaintenanceCommand> {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly windows: MaintenanceWindows,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: ChangeMaintenanceCommand): Promise<MaintenanceView> {
    if (!inScope(c.ctx.tenant, c.tenant)) throw foreignTenant();
    const acting = { tenant: c.tenant, reason: c.reason, actor: c.ctx.actor };
    const { kind, ...details } = c.change;
    const row = await changeMaintenance(
      this.audit,
      c.ctx,
      { action: kind === 'schedule' ? 'maintenance.schedule' : 'maintenance.end', tenant: c.tenant, reason: c.reason },
      (now) => ({ ...c.change, ...acting, now }),
      details,
      this.clock,
    );
    // The gate of this process applies the change at once; others within MAINTENANCE_REFRESH_MS.
    await this.windows.refresh();
    return maintenanceView(c.tenant, row, this.clock.now());
  }
}
