import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type Sample = readonly [labels: Record<string, string>, value: number];

/**
 * One Prometheus registry per process. Counters and histograms are updated where things happen
 * (per process; Prometheus sums across instances). Read-model gauges are computed at scrape time
 * from the shared tables, so every instance reports the same cluster-wide figure.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'opsledger_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'opsledger_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    this.registry.setDefaultLabels({ service: 'opsledger' });
    collectDefaultMetrics({ register: this.registry, prefix: 'opsledger_' });
  }

  /** A gauge whose samples are read when Prometheus scrapes. */
  gauge(name: string, help: string, labelNames: readonly string[], read: () => Promise<readonly Sample[]>): void {
    if (this.registry.getSingleMetric(name)) throw new Error(`metric ${name} is registered twice`);
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [labels, value] of await read()) this.set(labels, value);
      },
    });
  }

  /** A counter whose values live elsewhere in this process, read at scrape time. */
  counterFrom(name: string, help: string, labelNames: readonly string[], read: () => readonly Sample[]): void {
    if (this.registry.getSingleMetric(name)) throw new Error(`metric ${name} is registered twice`);
    new Counter({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, value] of read()) if (value > 0) this.inc(labels, value);
      },
    });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return (this.registry.getSingleMetric(name) as Counter<L>) ?? new Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return (
      (this.registry.getSingleMetric(name) as Histogram<L>) ?? new Histogram({ name, help, labelNames: [...labelNames], buckets, registers: [this.registry] })
    );
  }
}
