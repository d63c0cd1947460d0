import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { WebhookDeliveryRow } from '../../projections/webhooks/webhook-delivery-row';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import type { EventToAppend } from '../event-store/envelope';
import { StreamAppend, sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold } from '../shared/decider';
import { deliveryDecider, DeliveryState, InboxAction } from './webhook-delivery.decider';
import { deliveryStream, WebhookDeliveryEvent } from './webhook.events';

export type InboxVerb = InboxAction['kind'];

export interface InboxResult {
  /** The acted-on deliveries as they are now. */
  readonly items: WebhookDeliveryRow[];
  /** replay: the new deliveries, pending, one per item. */
  readonly replays: WebhookDeliveryRow[];
}

export class InboxActionCommand extends Command<InboxResult> {
  constructor(
    readonly ctx: OperatorContext,
    readonly verb: InboxVerb,
    readonly deliveryIds: readonly string[],
    readonly reason: string,
  ) {
    super();
  }
}

const ACTION: Record<InboxVerb, string> = { replay: 'webhook.replay', suppress: 'webhook.suppress', handle: 'webhook.handle' };

/**
 * Replay, suppress or mark handled a selection of failed deliveries: one audit entry, and every
 * effect in its unit; one delivery that cannot be acted on (missing, another tenant's, not
 * failed) refuses the whole selection and nothing is appended. A replay appends
 * WebhookFailureReplayed to the original (caused by the audit entry) and queues a new delivery
 * caused by that event, with the original's message id (`webhook-id`).
 */
@CommandHandler(InboxActionCommand)
export class InboxActionHandler implements ICommandHandler<InboxActionCommand> {
  constructor(
    private readonly audit: AuditRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ ctx, verb, deliveryIds, reason }: InboxActionCommand): Promise<InboxResult> {
    const ids = [...new Set(deliveryIds)];
    const target = ids.length === 1 ? `webhook-delivery:${ids[0]}` : `webhook-deliveries:${ids.length}`;
    return this.audit.act(
      ctx,
      { action: ACTION[verb], target, reason },
      {
        apply: async (unit) => {
          const now = this.clock.now();
          const decided: {
            id: string;
            state: Exclude<DeliveryState, { status: 'none' }>;
            revision: bigint;
            events: readonly WebhookDeliveryEvent[];
            replayId: string | null;
            messageId: string;
            eventId: string;
          }[] = [];
          for (const id of ids) {
            const history = await unit.uow.readStream(deliveryStream(id));
            const state = fold(
              deliveryDecider,
              history.map((e) => e as unknown as WebhookDeliveryEvent),
            );
            const replayId = verb === 'replay' ? randomUUID() : null;
            const events = eventsOrThrow(
              deliveryDecider.decide(
                { kind: verb, callerTenant: ctx.tenant, reason, actor: ctx.actor, now, ...(replayId ? { replayDeliveryId: replayId } : {}) },
                state,
              ),
            );
            const queued = history[0]?.data as { messageId: string; eventId: string };
            decided.push({
              id,
              state: state as Exclude<DeliveryState, { status: 'none' }>,
              revision: BigInt(history.length - 1),
              events,
              replayId,
              messageId: queued.messageId,
              eventId: queued.eventId,
            });
          }
          await unit.record('applied', { deliveryIds: ids, ...(verb === 'replay' ? { replayDeliveryIds: decided.map((d) => d.replayId) } : {}) });
          const appends: StreamAppend[] = [];
          for (const d of decided) {
            const tenantMeta = d.state.tenant ? { tenant: d.state.tenant } : {};
            const own: EventToAppend[] = d.events.map((e) => ({ ...e, eventId: randomUUID(), metadata: { ...unit.metadata, ...tenantMeta } }));
            appends.push({ streamId: deliveryStream(d.id), events: own, expected: d.revision });
            if (d.replayId) {
              const queued = eventsOrThrow(
                deliveryDecider.decide(
                  {
                    kind: 'queue',
                    deliveryId: d.replayId,
                    messageId: d.messageId,
                    subscriptionId: d.state.subscriptionId,
                    tenant: d.state.tenant,
                    eventId: d.eventId,
                    eventType: d.state.eventType,
                    replayOf: d.id,
                    now,
                  },
                  deliveryDecider.initialState,
                ),
              );
              // Linked to the original by causation: the new delivery is caused by the original's WebhookFailureReplayed.
              appends.push({
                streamId: deliveryStream(d.replayId),
                events: queued.map((e) => ({ ...e, metadata: { ...unit.metadata, ...tenantMeta, causationId: own[0].eventId! } })),
                expected: 'no_stream',
              });
            }
          }
          await unit.uow.appendMany(appends);
          const rows = async (keys: string[]) => {
            const { rows: found } = await sqlOf(unit.uow).query<{ key: string; doc: WebhookDeliveryRow }>(
              'SELECT key, doc FROM rm_webhook_deliveries WHERE key = ANY($1::text[])',
              [keys],
            );
            const byKey = new Map(found.map((r) => [r.key, r.doc]));
            return keys.map((k) => byKey.get(k)!);
          };
          return { items: await rows(ids), replays: await rows(decided.flatMap((d) => (d.replayId ? [d.replayId] : []))) };
        },
      },
      { conflictRetries: 3 },
    );
  }
}
