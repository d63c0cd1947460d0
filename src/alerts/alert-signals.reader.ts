import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Inject } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SharedCounters } from '../metrics/shared-counters';
import { AUTH_FAILURE_COUNTER } from '../auth/auth-failure-counter';
import {
  CRON_PROBLEMS_SOURCE,
  CronProblemsSource,
  OPS_HEALTH_SOURCE,
  OpsHealthSource,
  QUEUE_SNAPSHOT_SOURCE,
  QueueSnapshotSource,
  SLO_BURN_SOURCE,
  SloBurnSource,
} from './alert-sources';
import { AlertSignals } from './alert-signals';
import { WEBHOOK_FAILURE_COUNTER } from './webhook-failures';

@Injectable()
export class AlertSignalsReader {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly counters: SharedCounters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private source<T>(token: symbol): T | null {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return null;
    }
  }

  async read(now: Date): Promise<AlertSignals> {
    const health = this.source<OpsHealthSource>(OPS_HEALTH_SOURCE);
    const queue = this.source<QueueSnapshotSource>(QUEUE_SNAPSHOT_SOURCE);
    const cron = this.source<CronProblemsSource>(CRON_PROBLEMS_SOURCE);
    const slo = this.source<SloBurnSource>(SLO_BURN_SOURCE);
    const window = this.config.alerts.spikeWindowMs;
    const [h, q, c, webhookFailures, authFailures, sloBurn] = await Promise.all([
      health ? health.readStatus(now) : { status: 'healthy', issues: [] },
      queue ? queue.readQueue(now) : { pending: 0, deadLetter: 0, oldestReadyAgeSeconds: null },
      cron ? cron.readCronProblems(now) : [],
      this.counters.sum(WEBHOOK_FAILURE_COUNTER, window, now.getTime()),
      this.counters.sum(AUTH_FAILURE_COUNTER, window, now.getTime()),
      slo ? slo.readSloBurn(now) : [],
    ]);
    return { health: h, queue: q, cronProblems: c, webhookFailures, authFailures, sloBurn };
  }
}
