import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL } from '../database/database.module';
import { RecordedEvent } from '../event-store/envelope';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { hashedLockKey, LeaderLock } from '../database/leader-lock';
import { LoopStateService } from '../database/loop-state.service';
import { ReportedLoop } from '../database/reported-loop';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { AlertEvent, alertStream } from './alert.events';
import { alertDecider, alertEvaluation, AlertState } from './alert.decider';
import { AlertThresholds, ALERT_RULES } from './alert-rules';
import { AlertSignalsReader } from './alert-signals.reader';

/**
 * Evaluates the baseline alerts every ALERT_EVAL_MS in exactly one process (advisory lock), so
 * each firing and resolving is appended once. Firing state is loaded from the alert streams when
 * a process takes over; pending time restarts then, as with a restarted Prometheus.
 */
@Injectable()
export class AlertEvaluator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly lock: LeaderLock;
  /** Per rule: its firing state and stream revision, and since when its condition has held (memory only). */
  private states = new Map<string, { state: AlertState; revision: bigint; pendingSince: string | null }>();
  private loop: ReportedLoop | null = null;
  /** The lock term the firing states were loaded in: a new term loads them again. */
  private loadedTerm: number | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly signals: AlertSignalsReader,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly loopStates: LoopStateService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    // The key it has always had, so old and new processes exclude each other during a deploy.
    this.lock = new LeaderLock({ databaseUrl, key: hashedLockKey('opsledger.projection:alert-evaluator'), name: 'alert-evaluator', log });
  }

  private get thresholds(): AlertThresholds {
    return this.config.alerts;
  }

  onApplicationBootstrap(): void {
    if (this.config.core.appMode === 'worker') return;
    this.loop = new ReportedLoop(this.loopStates, {
      loop: 'alert-evaluator',
      everyMs: this.config.alerts.evalMs,
      reportMs: this.config.core.loopReportMs,
      unref: true,
      step: async () => (await this.evaluate(), this.lock.held ? 'ran' : 'standby'),
      onError: (err) => this.log.error({ event: 'alert.evaluation_failed', err: String(err) }, 'alert evaluation failed'),
    });
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    await this.lock.release();
  }

  /** One evaluation if this process holds the evaluator lock. Returns the events appended. */
  async evaluate(): Promise<AlertEvent[]> {
    if (!(await this.lock.tryAcquire())) return [];
    const term = this.lock.term!.term;
    if (this.loadedTerm !== term) {
      await this.loadStates();
      this.loadedTerm = term;
    }
    const now = this.clock.now();
    const signals = await this.signals.read(now);
    const appended: AlertEvent[] = [];
    for (const rule of ALERT_RULES) {
      const cur = this.states.get(rule.name) ?? { state: alertDecider.initialState, revision: -1n, pendingSince: null };
      const cmd = alertEvaluation(rule, signals, this.thresholds, cur.pendingSince, now);
      const events = eventsOrThrow(alertDecider.decide(cmd, cur.state));
      if (!events.length) {
        this.states.set(rule.name, { ...cur, pendingSince: cmd.pendingSince });
        continue;
      }
      try {
        const r = await this.store.append(alertStream(rule.name), events, cur.revision < 0n ? 'no_stream' : cur.revision);
        this.states.set(rule.name, { state: fold(alertDecider, events, cur.state), revision: r.nextRevision, pendingSince: cmd.pendingSince });
        for (const e of r.events) {
          const ev = e as unknown as AlertEvent & RecordedEvent;
          appended.push(ev);
          this.log.warn(
            { event: ev.type === 'AlertFired' ? 'alert.fired' : 'alert.resolved', rule: rule.name, summary: ev.data.summary, value: ev.data.value },
            `${rule.name} ${ev.type === 'AlertFired' ? 'fired' : 'resolved'}: ${ev.data.summary}`,
          );
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
    for (const rule of ALERT_RULES) {
      const events = await this.store.readStream(alertStream(rule.name));
      const state = fold(
        alertDecider,
        events.map((e) => e as unknown as AlertEvent),
      );
      this.states.set(rule.name, { state, revision: BigInt(events.length) - 1n, pendingSince: null });
    }
  }
}
