import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { MetricsService } from '../metrics/metrics.service';
import { LOGGER } from '../shared/logger';
import { formatHead, readChainHead } from './audit-chain-head';

/**
 * Publishes the audit chain head where the database cannot rewrite it: a log line
 * `audit.chain_head` at start and every AUDIT_HEAD_PUBLISH_SECONDS, and two gauges on /metrics.
 * A copy kept by the log pipeline or Prometheus is what `npm run audit -- verify --head` checks
 * a later history against.
 */
@Injectable()
export class AuditHeadPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    metrics: MetricsService,
  ) {
    metrics.gauge('opsledger_audit_chain_position', 'Links in the audit hash chain: the position of its head', [], async () => [
      [{}, Number((await readChainHead(this.pool)).position)],
    ]);
    metrics.gauge(
      'opsledger_audit_chain_head_info',
      'The audit chain head (value 1): position and MAC as labels, for `npm run audit -- verify --head <position>:<mac>`',
      ['position', 'mac'],
      async () => {
        const h = await readChainHead(this.pool);
        return [[{ position: String(h.position), mac: h.mac }, 1]];
      },
    );
  }

  onApplicationBootstrap(): void {
    const tick = () => void (this.inFlight ??= this.publish().finally(() => (this.inFlight = null)));
    tick();
    this.timer = setInterval(tick, this.config.secrets.auditHeadPublishSeconds * 1000);
    this.timer.unref();
  }

  /** Before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  async publish(): Promise<void> {
    try {
      const h = await readChainHead(this.pool);
      this.log.info(
        { event: 'audit.chain_head', position: String(h.position), eventId: h.eventId, mac: h.mac, head: formatHead(h) },
        `audit chain head ${formatHead(h)}`,
      );
    } catch (err) {
      this.log.warn({ event: 'audit.chain_head_failed', err: err instanceof Error ? err.message : String(err) }, 'could not read the audit chain head');
    }
  }
}
