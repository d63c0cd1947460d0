import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import type { Counter, Histogram } from 'prom-client';
import { PG_POOL } from '../database/database.module';
import { MetricsService } from '../metrics/metrics.service';
import type { TargetEvent } from './events/target.events';

/**
 * Polling's Prometheus metrics. Gauges are read from rm_targets at scrape time,
 * so every process reports the same cluster-wide figure; the poll counter and duration histogram
 * count what this process's scheduler did (Prometheus sums across processes).
 */
@Injectable()
export class PollingMetrics {
  readonly polls: Counter<'outcome' | 'failure_kind'>;
  readonly duration: Histogram<'outcome'>;

  constructor(metrics: MetricsService, @Inject(PG_POOL) pool: Pool) {
    metrics.gauge('opsledger_breakers', 'Polling targets by circuit-breaker state', ['state'], async () => {
      const { rows } = await pool.query<{ state: string; n: number }>(`SELECT breaker_state AS state, count(*)::int AS n FROM rm_targets GROUP BY 1`);
      const by = new Map(rows.map((r) => [r.state, r.n]));
      return ['closed', 'open', 'half_open'].map((state) => [{ state }, by.get(state) ?? 0] as const);
    });
    metrics.gauge('opsledger_targets', 'Polling targets: total, healthy, dead_lettered, paused', ['state'], async () => {
      const { rows } = await pool.query<{ total: number; healthy: number; dead: number; paused: number }>(
        `SELECT count(*)::int AS total,
                count(*) FILTER (WHERE NOT paused AND NOT dead_lettered AND (doc->>'consecutiveFailures')::int = 0 AND doc->>'lastSuccess' IS NOT NULL)::int AS healthy,
                count(*) FILTER (WHERE dead_lettered)::int AS dead,
                count(*) FILTER (WHERE paused)::int AS paused
           FROM rm_targets`,
      );
      const r = rows[0];
      return [
        [{ state: 'total' }, r.total],
        [{ state: 'healthy' }, r.healthy],
        [{ state: 'dead_lettered' }, r.dead],
        [{ state: 'paused' }, r.paused],
      ];
    });
    this.polls = metrics.counter(
      'opsledger_polls_total',
      'Poll outcomes recorded by this process: succeeded, failed (by failure kind) or skipped (breaker open)',
      ['outcome', 'failure_kind'],
    );
    this.duration = metrics.histogram(
      'opsledger_poll_duration_seconds',
      'Probe duration by outcome',
      ['outcome'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
  }

  /** Called by the scheduler with the events of each recorded outcome. */
  record(events: readonly TargetEvent[]): void {
    for (const e of events) {
      if (e.type === 'PollSucceeded') {
        this.polls.inc({ outcome: 'succeeded', failure_kind: '' });
        this.duration.observe({ outcome: 'succeeded' }, e.data.durationMs / 1000);
      } else if (e.type === 'PollFailed') {
        this.polls.inc({ outcome: 'failed', failure_kind: e.data.failureKind });
        this.duration.observe({ outcome: 'failed' }, e.data.durationMs / 1000);
      } else if (e.type === 'PollSkipped') {
        this.polls.inc({ outcome: 'skipped', failure_kind: '' });
      }
    }
  }
}
