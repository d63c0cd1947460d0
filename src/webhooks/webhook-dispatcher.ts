import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { WebhookDeliveryRow } from '../../projections/webhooks/webhook-delivery-row';
import type { WebhookSubscriptionRow } from '../../projections/webhooks/webhook-subscription-row';
import { WEBHOOK_FAILURE_COUNTER } from '../alerts/webhook-failures';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL, PG_POOL } from '../database/database.module';
import { hashedLockKey, LeaderLock } from '../database/leader-lock';
import { LoopStateService } from '../database/loop-state.service';
import { ReportedLoop } from '../database/reported-loop';
import { Egress } from '../egress/egress-fetch';
import type { RecordedEvent } from '../event-store/envelope';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { sqlOf } from '../event-store/unit-of-work';
import { MetricsService } from '../metrics/metrics.service';
import { SharedCounters } from '../metrics/shared-counters';
import { Clock, CLOCK } from '../shared/clock';
import { fold, isRejection } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { deliveryIdFor } from './delivery-id';
import { subscriptionWants } from './subscription-matches';
import { AttemptResult, deliveryDecider, DeliveryCommand } from './webhook-delivery.decider';
import { webhookPayload } from './webhook-payload';
import { WebhookSecrets } from './webhook-secret';
import { AttemptAbandoned, sendAttempt } from './webhook-sender';
import { deliveryStream, WebhookDeliveryEvent } from './webhook.events';
import { WEBHOOK_SECRETS } from './webhooks.di';

export const DISPATCHER_LOOP = 'webhook-dispatcher';
const ACTOR = 'webhook-dispatcher';
/** Due deliveries looked at per step (each subscription still sends at most its limit at once). */
const DUE_PER_STEP = 500;
const MAX_BATCHES_PER_STEP = 20;

/**
 * Delivers every event a subscription wants, once per subscription, in exactly one process
 * (LeaderLock). Each step (TimedLoop, every WEBHOOK_POLL_MS, woken early when an attempt ends):
 * 1. reads the log from its checkpoint through the event-store port and queues a delivery per
 *    subscription that wants each event; the queued deliveries and the new checkpoint commit in
 *    one unit, and a delivery's stream id is derived from subscription and event, so a restart or
 *    a second leader cannot queue one twice;
 * 2. starts the due deliveries (pending, next attempt time reached), at most `maxConcurrency` in
 *    flight per subscription, each one POST through the egress policy; its outcome is one event
 *    (Attempted with the next retry time, Succeeded, or Failed: the failures inbox).
 * An attempt cut off by shutdown records nothing and is made again by the next leader.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly lock: LeaderLock;
  private loop: ReportedLoop | null = null;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perSubscription = new Map<string, number>();
  private readonly failures;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
    private readonly egress: Egress,
    private readonly counters: SharedCounters,
    metrics: MetricsService,
    private readonly loopStates: LoopStateService,
  ) {
    this.lock = new LeaderLock({ databaseUrl, key: hashedLockKey('opsledger.webhook-dispatcher'), name: DISPATCHER_LOOP, log });
    this.failures = metrics.counter('opsledger_webhook_delivery_failures_total', 'Failed webhook delivery attempts (a refusal by the egress policy too)', []);
  }

  private get cfg() {
    return this.config.webhooks;
  }

  onApplicationBootstrap(): void {
    this.loop = new ReportedLoop(this.loopStates, {
      loop: DISPATCHER_LOOP,
      everyMs: this.cfg.pollMs,
      reportMs: this.config.core.loopReportMs,
      runNow: true,
      unref: true,
      step: async () => (await this.step(), this.lock.held ? 'ran' : 'standby'),
      onError: (err) => this.log.error({ event: 'webhook.dispatch_failed', err: String(err) }, 'webhook dispatch step failed'),
    });
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight.values()]);
    await this.lock.release();
  }

  /** One step if this process holds the dispatcher lock; exposed for tests. */
  async step(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    if (!(await this.lock.tryAcquire())) return;
    const subscriptions = await this.subscriptions();
    // A bounded catch-up per step, so a long backlog never keeps due retries (or shutdown) waiting.
    for (let i = 0; i < MAX_BATCHES_PER_STEP && (await this.queueNew(subscriptions)) === this.cfg.batchSize && !this.stopping.signal.aborted; i++);
    await this.startDue(subscriptions);
  }

  private async subscriptions(): Promise<Map<string, WebhookSubscriptionRow>> {
    const { rows } = await this.pool.query<{ doc: WebhookSubscriptionRow }>('SELECT doc FROM rm_webhook_subscriptions');
    return new Map(rows.map((r) => [r.doc.id, r.doc]));
  }

  /**
   * Queues the deliveries of the next batch of the log and moves the checkpoint, in one unit.
   * Returns how many events it read. A first start begins at the head of the log: subscriptions
   * never receive events from before they were created anyway.
   */
  private async queueNew(subscriptions: Map<string, WebhookSubscriptionRow>): Promise<number> {
    const { rows } = await this.pool.query<{ checkpoint: string | null }>('SELECT checkpoint FROM webhook_dispatch_checkpoint WHERE id = 1');
    const from = rows[0]?.checkpoint ?? null;
    if (from === null) {
      const head = await this.store.head();
      if (head)
        await this.pool.query('UPDATE webhook_dispatch_checkpoint SET checkpoint = $1, updated_at = now() WHERE id = 1 AND checkpoint IS NULL', [
          head.checkpoint,
        ]);
      return 0;
    }
    const events = await this.store.readAll(from, this.cfg.batchSize);
    if (!events.length) return 0;
    const active = [...subscriptions.values()].filter((s) => !s.deletedAt);
    const now = this.clock.now();
    const appends = events.flatMap((e) => active.filter((s) => subscriptionWants(s, e)).map((s) => this.queued(s, e, now)));
    const moved = await this.store.transact(async (uow) => {
      // Compare and set: when a second leader (the lock changed hands mid-step) moved it already, nothing is queued here.
      const cas = await sqlOf(uow).query('UPDATE webhook_dispatch_checkpoint SET checkpoint = $1, updated_at = now() WHERE id = 1 AND checkpoint = $2', [
        events[events.length - 1].checkpoint,
        from,
      ]);
      if (cas.rowCount !== 1) return false;
      if (appends.length) await uow.appendMany(appends);
      return true;
    });
    return moved ? events.length : 0;
  }

  private queued(s: WebhookSubscriptionRow, e: RecordedEvent, now: Date) {
    const deliveryId = deliveryIdFor(s.id, e.eventId);
    const decided = deliveryDecider.decide(
      { kind: 'queue', deliveryId, messageId: deliveryId, subscriptionId: s.id, tenant: s.tenant, eventId: e.eventId, eventType: e.type, replayOf: null, now },
      deliveryDecider.initialState,
    );
    if (isRejection(decided)) throw new Error(decided.reason);
    const metadata = {
      actor: ACTOR,
      causationId: e.eventId,
      ...(e.metadata.correlationId ? { correlationId: e.metadata.correlationId } : {}),
      ...(s.tenant ? { tenant: s.tenant } : {}),
    };
    return { streamId: deliveryStream(deliveryId), events: decided.map((d) => ({ ...d, metadata })), expected: 'no_stream' as const };
  }

  private async startDue(subscriptions: Map<string, WebhookSubscriptionRow>): Promise<void> {
    const { rows } = await this.pool.query<{ doc: WebhookDeliveryRow; revision: string }>(
      `SELECT doc, revision FROM rm_webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT ${DUE_PER_STEP}`,
      [this.clock.now().toISOString()],
    );
    for (const { doc: d, revision } of rows) {
      if (this.inFlight.has(d.id) || this.stopping.signal.aborted) continue;
      const s = subscriptions.get(d.subscriptionId);
      if (!s || s.deletedAt) {
        await this.act(d.id, { kind: 'drop', now: this.clock.now() });
        continue;
      }
      const busy = this.perSubscription.get(s.id) ?? 0;
      if (busy >= (s.maxConcurrency ?? this.cfg.maxConcurrency)) continue;
      this.perSubscription.set(s.id, busy + 1);
      const p = this.deliver(d, s, revision)
        .catch((err) => {
          if (!(err instanceof AttemptAbandoned))
            this.log.error({ event: 'webhook.attempt_failed', deliveryId: d.id, err: String(err) }, 'recording a webhook attempt failed');
        })
        .finally(() => {
          this.inFlight.delete(d.id);
          this.perSubscription.set(s.id, (this.perSubscription.get(s.id) ?? 1) - 1);
          this.loop?.wake();
        });
      this.inFlight.set(d.id, p);
    }
  }

  private async deliver(d: WebhookDeliveryRow, s: WebhookSubscriptionRow, revision: string): Promise<void> {
    // The due list may have been read while an attempt of this delivery was on its way, and that
    // attempt recorded (and left inFlight) since: send only if the row is still the one read.
    const now = await this.pool.query<{ revision: string }>('SELECT revision FROM rm_webhook_deliveries WHERE key = $1', [d.id]);
    if (now.rows[0]?.revision !== revision) return;
    const [event] = await this.store.readEvents([d.eventId]);
    if (!event) throw new Error(`event ${d.eventId} of delivery ${d.id} is not in the log`);
    const result = await sendAttempt(this.egress.fetch, {
      url: s.url,
      secret: this.secrets.open(s.secret),
      messageId: d.messageId,
      body: webhookPayload(event),
      timeoutMs: this.cfg.timeoutMs,
      snippetBytes: this.cfg.snippetBytes,
      now: this.clock.now(),
      stop: this.stopping.signal,
    });
    const appended = await this.act(d.id, { kind: 'record', result, retryScheduleMs: this.cfg.retryScheduleMs, now: this.clock.now() });
    if (!appended) return;
    if (appended.type !== 'WebhookDeliverySucceeded') this.countFailure(d, s, result, appended);
  }

  private countFailure(d: WebhookDeliveryRow, s: WebhookSubscriptionRow, r: AttemptResult, e: WebhookDeliveryEvent): void {
    this.counters.add(WEBHOOK_FAILURE_COUNTER);
    this.failures.inc();
    const fields = {
      event: e.type === 'WebhookDeliveryFailed' ? 'webhook.delivery_failed' : 'webhook.attempt_failed',
      deliveryId: d.id,
      subscriptionId: s.id,
      url: new URL(s.url).origin,
      status: r.status,
      errorKind: r.errorKind,
      error: r.error,
    };
    this.log.warn(
      fields,
      e.type === 'WebhookDeliveryFailed' ? 'webhook delivery failed for good: in the failures inbox' : 'webhook delivery attempt failed; will retry',
    );
  }

  /** Decides on the delivery's stream as stored and appends; null when the decider refuses (someone else moved it). */
  private async act(deliveryId: string, command: DeliveryCommand): Promise<WebhookDeliveryEvent | null> {
    const history = (await this.store.readStream(deliveryStream(deliveryId))) as unknown as (RecordedEvent & WebhookDeliveryEvent)[];
    const state = fold(deliveryDecider, history);
    const decided = deliveryDecider.decide(command, state);
    if (isRejection(decided) || !decided.length) return null;
    const last = history[history.length - 1];
    const metadata = {
      actor: ACTOR,
      causationId: last.eventId,
      ...(last.metadata.correlationId ? { correlationId: last.metadata.correlationId } : {}),
      ...(state.status !== 'none' && state.tenant ? { tenant: state.tenant } : {}),
    };
    try {
      await this.store.append(
        deliveryStream(deliveryId),
        decided.map((e) => ({ ...e, metadata })),
        BigInt(history.length - 1),
      );
    } catch (err) {
      if (err instanceof ExpectedVersionConflict) return null;
      throw err;
    }
    return decided[decided.length - 1];
  }
}
