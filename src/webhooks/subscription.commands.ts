import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { WebhookSubscriptionRow } from '../../projections/webhooks/webhook-subscription-row';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import { sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold, reject, RejectedError } from '../shared/decider';
import { WebhookSecrets } from './webhook-secret';
import { subscriptionDecider } from './webhook-subscription.decider';
import { subscriptionStream, SubscriptionSource, WebhookSubscriptionEvent } from './webhook.events';
import { subscriptionView, SubscriptionView } from './webhook.views';
import { WEBHOOK_SECRETS } from './webhooks.di';

export interface NewSubscription {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly tenant?: string;
  readonly maxConcurrency?: number;
  readonly description?: string;
  readonly reason: string;
  readonly source?: SubscriptionSource;
  /** The signing secret to use (ALERT_WEBHOOK_SECRET); otherwise a new one is generated. */
  readonly secret?: string;
}

/** The new subscription and its signing secret: the only time the secret is shown. */
export type CreatedSubscription = SubscriptionView & { readonly secret: string };

export class CreateSubscriptionCommand extends Command<CreatedSubscription> {
  constructor(
    readonly ctx: OperatorContext,
    readonly body: NewSubscription,
  ) {
    super();
  }
}
export class DeleteSubscriptionCommand extends Command<SubscriptionView> {
  constructor(
    readonly ctx: OperatorContext,
    readonly subscriptionId: string,
    readonly reason: string,
  ) {
    super();
  }
}

const readRow = async (sql: ReturnType<typeof sqlOf>, id: string) =>
  (await sql.query<{ doc: WebhookSubscriptionRow }>('SELECT doc FROM rm_webhook_subscriptions WHERE key = $1', [id])).rows[0].doc;

/** Load, decide, audit + append (+ the inline read model) in one unit of work. */
@CommandHandler(CreateSubscriptionCommand)
export class CreateSubscriptionHandler implements ICommandHandler<CreateSubscriptionCommand> {
  constructor(
    private readonly audit: AuditRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
  ) {}

  async execute({ ctx, body }: CreateSubscriptionCommand): Promise<CreatedSubscription> {
    // A scoped token subscribes for its own tenant only; naming another is a mistake, said plainly.
    if (ctx.tenant && body.tenant !== undefined && body.tenant !== ctx.tenant)
      throw new RejectedError(reject('invalid', `must be your token's tenant "${ctx.tenant}" (or left out)`, 'tenant'));
    const id = randomUUID();
    const secret = body.secret ?? WebhookSecrets.generate();
    const tenant = ctx.tenant ?? body.tenant ?? null;
    return this.audit.act(
      ctx,
      { action: 'webhook.subscribe', target: `webhook-subscription:${id}`, reason: body.reason },
      {
        apply: async (unit) => {
          const events = eventsOrThrow(
            subscriptionDecider.decide(
              {
                kind: 'create',
                subscriptionId: id,
                tenant,
                url: body.url,
                eventTypes: body.eventTypes,
                secret: this.secrets.seal(secret),
                maxConcurrency: body.maxConcurrency ?? null,
                description: body.description ?? null,
                source: body.source ?? 'api',
                actor: ctx.actor,
                now: this.clock.now(),
              },
              subscriptionDecider.initialState,
            ),
          );
          await unit.record('applied', { url: body.url, eventTypes: body.eventTypes, tenant });
          await unit.uow.append(
            subscriptionStream(id),
            events.map((e) => ({ ...e, metadata: { ...unit.metadata, ...(tenant ? { tenant } : {}) } })),
            'no_stream',
          );
          return { ...subscriptionView(await readRow(sqlOf(unit.uow), id)), secret };
        },
      },
    );
  }
}

@CommandHandler(DeleteSubscriptionCommand)
export class DeleteSubscriptionHandler implements ICommandHandler<DeleteSubscriptionCommand> {
  constructor(
    private readonly audit: AuditRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ ctx, subscriptionId, reason }: DeleteSubscriptionCommand): Promise<SubscriptionView> {
    return this.audit.act(
      ctx,
      { action: 'webhook.unsubscribe', target: `webhook-subscription:${subscriptionId}`, reason },
      {
        apply: async (unit) => {
          const history = await unit.uow.readStream(subscriptionStream(subscriptionId));
          const state = fold(
            subscriptionDecider,
            history.map((e) => e as unknown as WebhookSubscriptionEvent),
          );
          const events = eventsOrThrow(
            subscriptionDecider.decide({ kind: 'delete', subscriptionId, callerTenant: ctx.tenant, reason, actor: ctx.actor, now: this.clock.now() }, state),
          );
          await unit.record('applied');
          const tenant = state.status === 'none' ? null : state.tenant;
          await unit.uow.append(
            subscriptionStream(subscriptionId),
            events.map((e) => ({ ...e, metadata: { ...unit.metadata, ...(tenant ? { tenant } : {}) } })),
            BigInt(history.length - 1),
          );
          return subscriptionView(await readRow(sqlOf(unit.uow), subscriptionId));
        },
      },
      { conflictRetries: 3 },
    );
  }
}
