import { Injectable } from '@nestjs/common';
import { MetricsService, Sample } from '../metrics/metrics.service';
import { SloService } from './slo.service';
import type { SloBody } from './slo.view';

const LABELS = ['target', 'tenant'] as const;
const labels = (b: SloBody) => ({ target: b.key, tenant: b.tenant ?? '' });

/**
 * Freshness objectives on /metrics, computed at scrape time from the read model (every instance
 * reports the same figures, as for the other read-model gauges). The burn-rate gauge is what the
 * Prometheus twin of the alert pair reads (docker/prometheus/alerts.yml).
 */
@Injectable()
export class SloMetrics {
  /** One computation per scrape: every gauge's collect starts while the first is in flight. */
  private inFlight: Promise<SloBody[]> | null = null;

  constructor(metrics: MetricsService, slo: SloService) {
    const bodies = () =>
      (this.inFlight ??= slo
        .list(null, null)
        .then((r) => r.body.targets)
        .finally(() => setImmediate(() => (this.inFlight = null))));
    const gauge = (name: string, help: string, pick: (b: SloBody) => number | null) =>
      metrics.gauge(name, help, LABELS, async () =>
        (await bodies()).flatMap((b): Sample[] => {
          const v = pick(b);
          return v === null ? [] : [[labels(b), v]];
        }),
      );
    gauge('opsledger_slo_objective_ratio', 'Freshness objective of each target that has one (0.995 = 99.5 %)', (b) => b.objective.objective / 100);
    gauge('opsledger_slo_attainment_ratio', 'Share of the measured time over the objective’s window the target was fresh', (b) =>
      b.attainment === null ? null : b.attainment / 100,
    );
    gauge('opsledger_slo_error_budget_remaining_ratio', 'Share of the error budget left over the objective’s window (negative: overspent)', (b) =>
      b.errorBudget.leftPercent === null ? null : b.errorBudget.leftPercent / 100,
    );
    gauge('opsledger_slo_stale', '1 while the target is stale (its last success older than maxAgeSeconds), else 0', (b) =>
      b.freshness.state === 'stale' ? 1 : 0,
    );
    metrics.gauge(
      'opsledger_slo_burn_rate',
      'Error-budget burn rate of each freshness objective over the alert windows (1 = on budget)',
      [...LABELS, 'window'],
      async () => (await bodies()).flatMap((b) => Object.entries(b.burnRates).map(([window, rate]): Sample => [{ ...labels(b), window }, rate])),
    );
  }
}
