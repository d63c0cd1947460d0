import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { Operator, OperatorContext } from '../audit/operator-context';
import { InboxActionCommand, InboxVerb } from './inbox.commands';
import { ListFailuresQuery } from './list-failures.query';
import { ListSubscriptionsQuery } from './list-subscriptions.query';
import { CreateSubscriptionCommand, DeleteSubscriptionCommand } from './subscription.commands';
import { CreateSubscriptionDto, InboxActionDto, ListFailuresDto, RemoveSubscriptionDto } from './webhooks.dto';
import { badRequestExample } from '../http/error-examples';

const subscription = {
  id: '3b7c9f0e-2a41-4c55-9d1e-5f6a7b8c9d0e',
  tenant: 'acme',
  url: 'https://hooks.example.com/opsledger',
  eventTypes: ['AlertFired', 'RunFailed'],
  maxConcurrency: null,
  description: 'on-call bridge',
  source: 'api',
  createdBy: 'alice',
  createdAt: '2026-11-26T09:00:00.000Z',
  deletedAt: null,
  deletedBy: null,
  deleteReason: null,
};
const failure = {
  id: '5f0c1a2e-8d4b-8c1e-9a3f-0b1c2d3e4f50',
  messageId: '5f0c1a2e-8d4b-8c1e-9a3f-0b1c2d3e4f50',
  subscriptionId: subscription.id,
  tenant: 'acme',
  eventId: '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70',
  eventType: 'RunFailed',
  replayOf: null,
  status: 'failed',
  attempts: 7,
  queuedAt: '2026-11-26T09:10:00.000Z',
  nextAttemptAt: null,
  lastAttemptAt: '2026-11-26T19:45:05.000Z',
  lastStatus: 503,
  lastErrorKind: 'http_status',
  lastError: 'HTTP 503',
  lastResponseSnippet: 'upstream unavailable',
  lastDurationMs: 41,
  failedAt: '2026-11-26T19:45:05.000Z',
  resolution: null,
};
/** The inbox-action answer for one failed delivery, resolved by `action` (replays: the new deliveries a replay queued). */
const resolvedExample = (action: string, reason: string, replayDeliveryId: string | null = null, replays: object[] = []) => ({
  status: 200,
  schema: {
    example: {
      items: [{ ...failure, status: action, resolution: { action, actor: 'alice', reason, at: '2026-11-26T20:00:00.000Z', replayDeliveryId } }],
      replays,
    },
  },
});
const NOT_FOUND = {
  status: 404,
  description: "A delivery that does not exist, or (tenant-scoped token) another tenant's: both answer the same; nothing is acted on.",
  schema: { example: { statusCode: 404, error: 'Not Found', message: 'no such webhook delivery' } },
};
const CONFLICT = {
  status: 409,
  description: 'A delivery that is not failed (still retrying, delivered, or acted on already); nothing is acted on.',
  schema: {
    example: {
      statusCode: 409,
      error: 'Conflict',
      message: `delivery ${failure.id} is suppressed: only a failed delivery (in the inbox, not yet acted on) can be replayed`,
    },
  },
};

/** Outbound webhook subscriptions and the failures inbox (admin; a scoped admin: its own tenant's). */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('api/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('subscriptions')
  @Roles('admin')
  @TenantScope('tenant', 'subscribes for its own tenant (the default); another tenant in the body → 400')
  @ApiOperation({ summary: 'Subscribe a URL to event types; the answer carries the signing secret, shown this once (audited).' })
  @ApiResponse({ status: 201, schema: { example: { ...subscription, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwy4vL0q7mWgA=' } } })
  @ApiResponse(badRequestExample('eventTypes', 'unknown event type "RunExploded"; one of RunEnqueued, …'))
  create(@Body() body: CreateSubscriptionDto, @Operator() ctx: OperatorContext) {
    return this.commands.execute(new CreateSubscriptionCommand(ctx, body));
  }

  @Get('subscriptions')
  @Roles('admin')
  @TenantScope('tenant', "the tenant's subscriptions only")
  @ApiOperation({ summary: 'Active subscriptions, newest first (never their secrets).' })
  @ApiResponse({ status: 200, schema: { example: { items: [subscription] } } })
  list(@CallerTenant() tenant: string | null) {
    return this.queries.execute(new ListSubscriptionsQuery(tenant));
  }

  @Delete('subscriptions/:id')
  @HttpCode(200)
  @Roles('admin')
  @TenantScope('tenant', "404 for another tenant's subscription")
  @ApiOperation({ summary: 'Delete a subscription (audited); its pending deliveries are dropped, its failures stay in the inbox.' })
  @ApiResponse({
    status: 200,
    schema: { example: { ...subscription, deletedAt: '2026-11-26T12:00:00.000Z', deletedBy: 'alice', deleteReason: 'receiver retired' } },
  })
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: `no webhook subscription ${subscription.id}` } } })
  remove(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: RemoveSubscriptionDto, @Operator() ctx: OperatorContext) {
    return this.commands.execute(new DeleteSubscriptionCommand(ctx, id, body.reason));
  }

  @Get('failures')
  @Roles('admin')
  @TenantScope('tenant', "the tenant's failed deliveries only, whatever `tenant` it asks for")
  @ApiOperation({ summary: 'The failures inbox: deliveries whose retries ran out, newest first; filter by status, tenant, subscription, event type and age.' })
  @ApiResponse({ status: 200, schema: { example: { items: [failure] } } })
  failures(@Query() filter: ListFailuresDto, @CallerTenant() tenant: string | null) {
    return this.queries.execute(new ListFailuresQuery(filter, tenant));
  }

  @Post('failures/replay')
  @HttpCode(200)
  @Roles('admin')
  @TenantScope('tenant', "404 when a selected delivery is another tenant's")
  @ApiOperation({ summary: 'Deliver failed deliveries again: each becomes a new delivery linked to the original (audited).' })
  @ApiResponse(
    resolvedExample('replayed', 'receiver fixed', '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', [
      {
        ...failure,
        id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        replayOf: failure.id,
        status: 'pending',
        attempts: 0,
        queuedAt: '2026-11-26T20:00:00.000Z',
        nextAttemptAt: '2026-11-26T20:00:00.000Z',
        lastAttemptAt: null,
        lastStatus: null,
        lastErrorKind: null,
        lastError: null,
        lastResponseSnippet: null,
        lastDurationMs: null,
        failedAt: null,
      },
    ]),
  )
  @ApiResponse(NOT_FOUND)
  @ApiResponse(CONFLICT)
  replay(@Body() body: InboxActionDto, @Operator() ctx: OperatorContext) {
    return this.act(ctx, 'replay', body);
  }

  @Post('failures/suppress')
  @HttpCode(200)
  @Roles('admin')
  @TenantScope('tenant', "404 when a selected delivery is another tenant's")
  @ApiOperation({ summary: 'Suppress failed deliveries: kept in the inbox, never retried or replayed (audited).' })
  @ApiResponse(resolvedExample('suppressed', 'receiver retired'))
  @ApiResponse(NOT_FOUND)
  @ApiResponse(CONFLICT)
  suppress(@Body() body: InboxActionDto, @Operator() ctx: OperatorContext) {
    return this.act(ctx, 'suppress', body);
  }

  @Post('failures/handled')
  @HttpCode(200)
  @Roles('admin')
  @TenantScope('tenant', "404 when a selected delivery is another tenant's")
  @ApiOperation({ summary: 'Mark failed deliveries handled (dealt with another way) (audited).' })
  @ApiResponse(resolvedExample('handled', 're-sent by hand'))
  @ApiResponse(NOT_FOUND)
  @ApiResponse(CONFLICT)
  handled(@Body() body: InboxActionDto, @Operator() ctx: OperatorContext) {
    return this.act(ctx, 'handle', body);
  }

  private act(ctx: OperatorContext, verb: InboxVerb, body: InboxActionDto) {
    return this.commands.execute(new InboxActionCommand(ctx, verb, body.deliveryIds, body.reason));
  }
}
