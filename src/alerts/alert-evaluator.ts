import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL } from '../database/database.module';
import { RecordedEvent } from '../event-store/envelope';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { ProjectionLock } from '../projection-runner/projection-lock';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { AlertEvent, alertStream } from './alert.events';
import { AlertState, decideAlert, evolveAlert, initialAlertState } from './alert.decider';
import { AlertThresholds, BASELINE_RULES } from './alert-rules';
import { AlertSignalsReader } from './alert-signals.reader';
import { AlertWebhooks } from './alert-webhooks';

/**
 * Evaluates the baseline alerts every ALERT_EVAL_MS in exactly one process (advisory lock), so
 * each firing and resolving is appended once. Firing state is loaded from the alert streams when
 * a process takes over; pending time restarts then, as with a restarted Prometheus.
 */
@Injectable()
export class AlertEvaluator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly lock: ProjectionLock;
  private states = new Map<string, { state: AlertState; revision: bigint }>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private leader = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly signals: AlertSignalsReader,
    private readonly webhooks: AlertWebhooks,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.lock = new ProjectionLock(databaseUrl, 'alert-evaluator');
  }

  private get thresholds(): AlertThresholds {
    return this.config.alerts;
  }

  onApplicationBootstrap(): void {
    if (this.config.core.appMode === 'worker') return;
    this.timer = setInterval(() => void this.tick(), this.config.alerts.evalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.lock.release();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.evaluate()
      .then(() => undefined)
      .catch((err) => this.log.error({ event: 'alert.evaluation_failed', err: String(err) }, 'alert evaluation failed'))
      .finally(() => (this.running = null));
    await this.running;
  }

  /** One evaluation if this process holds the evaluator lock. Returns the events appended. */
  async evaluate(): Promise<AlertEvent[]> {
    if (!(await this.lock.tryAcquire())) {
      this.leader = false;
      return [];
    }
    if (!this.leader) {
      await this.loadStates();
      this.leader = true;
    }
    const now = this.clock.now();
    const signals = await this.signals.read(now);
    const appended: AlertEvent[] = [];
    for (const rule of BASELINE_RULES) {
      const cur = this.states.get(rule.name) ?? { state: initialAlertState, revision: -1n };
      const { state, events } = decideAlert(rule, signals, this.thresholds, cur.state, now);
      if (!events.length) {
        this.states.set(rule.name, { ...cur, state });
        continue;
      }
      try {
        const r = await this.store.append(alertStream(rule.name), events, cur.revision < 0n ? 'no_stream' : cur.revision);
        this.states.set(rule.name, { state, revision: r.nextRevision });
        for (const e of r.events) {
          const ev = e as unknown as AlertEvent & RecordedEvent;
          appended.push(ev);
          this.log.warn({ event: ev.type === 'AlertFired' ? 'alert.fired' : 'alert.resolved', rule: rule.name, summary: ev.data.summary, value: ev.data.value }, `${rule.name} ${ev.type === 'AlertFired' ? 'fired' : 'resolved'}: ${ev.data.summary}`);
          void this.webhooks.deliver(ev);
        }
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict)) throw err;
        await this.loadStates(); // another process wrote: it was the leader a moment ago
      }
    }
    return appended;
  }

  private async loadStates(): Promise<void> {
    this.states = new Map();
    for (const rule of BASELINE_RULES) {
      const events = await this.store.readStream(alertStream(rule.name));
      const state = events.map((e) => e as unknown as AlertEvent).reduce(evolveAlert, initialAlertState);
      this.states.set(rule.name, { state, revision: BigInt(events.length) - 1n });
    }
  }
}
