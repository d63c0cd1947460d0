import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import { sqlOf } from '../event-store/unit-of-work';
import { rfc3339 } from '../shared/clock';
import { BadInput, NotFound } from '../shared/errors';
import { ProjectionRunnerService } from '../projection-runner/projection-runner.service';

export interface RebuildAccepted {
  readonly name: string;
  readonly version: number;
  readonly requestedAt: string;
  readonly reason: string;
  /** Whether some process runs the projection now (else the request waits for one to start). */
  readonly runnerActive: boolean;
  readonly message: string;
}

/** Asks for a blue/green rebuild of one projection, on behalf of an operator (audited). */
export class RebuildProjectionCommand extends Command<RebuildAccepted> {
  constructor(
    readonly operator: OperatorContext,
    readonly name: string,
    readonly reason: string,
  ) {
    super();
  }
}

@CommandHandler(RebuildProjectionCommand)
export class RebuildProjectionHandler implements ICommandHandler<RebuildProjectionCommand, RebuildAccepted> {
  constructor(
    private readonly runner: ProjectionRunnerService,
    private readonly audit: AuditRecorder,
  ) {}

  async execute(cmd: RebuildProjectionCommand): Promise<RebuildAccepted> {
    const projection = this.runner.projection(cmd.name);
    if (!projection) throw new NotFound(`no projection named "${cmd.name}"; GET /api/projections lists them`);
    const reason = cmd.reason.trim();
    if (!reason) throw BadInput.field('reason', 'is required: say why the projection is rebuilt');
    // The request row and its audit entry commit together.
    const requestedAt = await this.audit.act(
      cmd.operator,
      { action: 'projection.rebuild', target: `projection:${cmd.name}`, reason },
      {
        apply: async (unit) => {
          await unit.record('applied', { version: projection.version });
          return this.runner.requestRebuild(cmd.name, reason, sqlOf(unit.uow));
        },
      },
    );
    const [status] = (await this.runner.status()).filter((s) => s.name === cmd.name);
    const runnerActive = status?.running ?? false;
    return {
      name: cmd.name,
      version: projection.version,
      requestedAt: rfc3339(requestedAt)!,
      reason,
      runnerActive,
      message: runnerActive
        ? `rebuild of ${cmd.name} requested; GET /api/projections shows its progress`
        : `rebuild of ${cmd.name} recorded; no process runs projections now, so it starts with the next one (APP_MODE all or server)`,
    };
  }
}
