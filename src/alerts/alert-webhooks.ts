import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Egress } from '../egress/egress-fetch';
import { describeTransportFailure } from '../egress/transport-failure';
import { MetricsService } from '../metrics/metrics.service';
import { SharedCounters } from '../metrics/shared-counters';
import { LOGGER } from '../shared/logger';
import { AlertEvent } from './alert.events';

export const WEBHOOK_FAILURE_COUNTER = 'webhook_delivery_failure';

/**
 * POSTs each alert transition to every configured URL through the egress policy; a failure (a
 * refusal by the policy too) is logged and counted.
 */
@Injectable()
export class AlertWebhooks {
  private readonly urls: string[];
  private readonly failures;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly counters: SharedCounters,
    metrics: MetricsService,
    private readonly egress: Egress,
  ) {
    this.urls = (config.alerts.webhookUrls ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    this.failures = metrics.counter('opsledger_webhook_delivery_failures_total', 'Failed alert webhook deliveries', []);
  }

  async deliver(e: AlertEvent & { eventId: string }): Promise<void> {
    const body = JSON.stringify({ source: 'opsledger', eventId: e.eventId, status: e.type === 'AlertFired' ? 'firing' : 'resolved', ...e.data });
    await Promise.all(
      this.urls.map(async (url) => {
        const signal = AbortSignal.timeout(this.config.alerts.webhookTimeoutMs);
        let error: string | null;
        try {
          const res = await this.egress.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
          await res.body?.cancel().catch(() => undefined); // the receiver's answer is not needed
          error = res.ok ? null : `HTTP ${res.status}`;
        } catch (err) {
          if (signal.aborted) error = 'http_timeout: timeout';
          else {
            const f = describeTransportFailure(err);
            error = `${f.kind}: ${f.message}`;
          }
        }
        if (error === null) return;
        this.counters.add(WEBHOOK_FAILURE_COUNTER);
        this.failures.inc();
        this.log.warn({ event: 'webhook.delivery_failed', url: new URL(url).origin, rule: e.data.rule, error }, 'alert webhook delivery failed');
      }),
    );
  }
}
