import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { SharedCounters } from '../metrics/shared-counters';
import { LOGGER } from '../shared/logger';
import { AlertEvent } from './alert.events';

export const WEBHOOK_FAILURE_COUNTER = 'webhook_delivery_failure';

/** POSTs each alert transition to every configured URL; a failure is logged and counted. */
@Injectable()
export class AlertWebhooks {
  private readonly urls: string[];
  private readonly failures;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly counters: SharedCounters,
    metrics: MetricsService,
  ) {
    this.urls = (config.alerts.webhookUrls ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    this.failures = metrics.counter('opsledger_webhook_delivery_failures_total', 'Failed alert webhook deliveries', []);
  }

  async deliver(e: AlertEvent & { eventId: string }): Promise<void> {
    const body = JSON.stringify({ source: 'opsledger', eventId: e.eventId, status: e.type === 'AlertFired' ? 'firing' : 'resolved', ...e.data });
    await Promise.all(
      this.urls.map(async (url) => {
        try {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.config.alerts.webhookTimeoutMs) });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          await res.arrayBuffer();
        } catch (err) {
          this.counters.add(WEBHOOK_FAILURE_COUNTER);
          this.failures.inc();
          this.log.warn({ event: 'webhook.delivery_failed', url: new URL(url).origin, rule: e.data.rule, error: (err as Error).message }, 'alert webhook delivery failed');
        }
      }),
    );
  }
}
