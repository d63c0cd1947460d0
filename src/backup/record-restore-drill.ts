import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import { PG_POOL } from '../database/database.module';
import { inTransaction } from '../database/transaction';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store';
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

/** Records a restore drill (seed 002: "quarterly restore drill recorded") with its audit entry, atomically. */
@Injectable()
export class RestoreDrills {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
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
    return inTransaction(this.pool, async (client) => {
      const meta = await this.audit.recordWith(client, ctx, 'restore_drill.record', `restore-drill:${data.drillId}`, input.notes ?? `restore drill ${input.result}`, { owner: input.owner, result: input.result });
      await this.store.appendWith(client, RESTORE_DRILL_STREAM, [{ type: 'RestoreDrillRecorded', data, metadata: meta }], 'any');
      return data;
    });
  }
}
