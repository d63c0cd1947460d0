import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import { Clock, CLOCK } from '../shared/clock';
import { RESTORE_DRILL_STREAM, RestoreDrillRecorded } from './restore-drill-recorded.event';

export interface DrillInput {
  readonly owner: string;
  readonly result: 'passed' | 'failed';
  readonly notes?: string | null;
  readonly eventsRestored?: number | null;
  readonly durationSeconds?: number | null;
  readonly performedAt?: string;
}

/** Records a restore drill (operations asks for one a quarter) with its audit entry, in one unit of work. */
@Injectable()
export class RestoreDrills {
  constructor(
    private readonly audit: AuditRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(ctx: OperatorContext, input: DrillInput): Promise<RestoreDrillRecorded['data']> {
    const data: RestoreDrillRecorded['data'] = {
      drillId: randomUUID(),
      owner: input.owner,
      result: input.result,
      notes: input.notes ?? null,
      eventsRestored: input.eventsRestored ?? null,
      durationSeconds: input.durationSeconds ?? null,
      performedAt: input.performedAt ?? this.clock.now().toISOString(),
    };
    return this.audit.act(
      ctx,
      { action: 'restore_drill.record', target: `restore-drill:${data.drillId}`, reason: input.notes ?? `restore drill ${input.result}` },
      {
        apply: async (unit) => {
          await unit.record('applied', { owner: input.owner, result: input.result });
          await unit.uow.append(RESTORE_DRILL_STREAM, [{ type: 'RestoreDrillRecorded', data, metadata: unit.metadata }], 'any');
          return data;
        },
      },
    );
  }
}
