import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { FlagRow } from '../../projections/flags/flag-row';
import { AuditRecorder } from '../audit/audit-recorder';
import { systemOperator } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL, PG_POOL } from '../database/database.module';
import { LeaderSweepLoop } from '../database/leader-sweep.loop';
import { LoopStateService } from '../database/loop-state.service';
import { Clock, CLOCK } from '../shared/clock';
import { RejectedError } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { changeFlag } from './flag.commands';
import { effectiveValue } from './flag-value';

/**
 * Records, in one process at a time, that a temporary flag value has run out (FlagValueExpired,
 * audited as the system's flag.expire). Readers do not wait for it: they compare expiresAt with
 * the clock. The event makes the log say when the value stopped, and frees the flag for `clear`.
 */
@Injectable()
export class FlagExpiryLoop extends LeaderSweepLoop<string> {
  constructor(
    private readonly audit: AuditRecorder,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) log: Logger,
    loops: LoopStateService,
  ) {
    super({
      name: 'flag-expiry',
      databaseUrl,
      everyMs: config.flags.expirySweepMs,
      reportMs: config.core.loopReportMs,
      loops,
      log,
      onError: (err) => log.error({ event: 'flag.expiry_failed', err: String(err) }, 'recording flag expiries failed'),
    });
  }

  /** Not in worker-only processes (they serve no flags). */
  protected override runsHere(): boolean {
    return this.config.core.appMode !== 'worker';
  }

  protected async sweepHere(): Promise<string[]> {
    const now = this.clock.now();
    const { rows } = await this.pool.query<{ doc: FlagRow }>(`SELECT doc FROM rm_flags WHERE doc->'current'->>'expiresAt' IS NOT NULL`);
    const due = rows.map((r) => r.doc).filter((f) => f.current && effectiveValue(f, now).source === 'default');
    const recorded: string[] = [];
    for (const flag of due) {
      try {
        await changeFlag(
          this.audit,
          systemOperator(`flag-expiry-${randomUUID()}`),
          { action: 'flag.expire', key: flag.key, reason: `temporary value reached its expiresAt ${flag.current!.expiresAt}` },
          (at) => ({ kind: 'expire', key: flag.key, now: at }),
          { expiresAt: flag.current!.expiresAt },
          this.clock,
        );
        recorded.push(flag.key);
      } catch (err) {
        // Cleared or set again since the read: nothing to record.
        if (!(err instanceof RejectedError && err.rejection.code === 'conflict')) throw err;
      }
    }
    return recorded;
  }
}
