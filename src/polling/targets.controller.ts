import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Roles } from '../access/roles.decorator';
import { inScope } from '../access/tenant-scope';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { BadInput, NotFound } from '../shared/errors';
import { specFromDto } from './config-targets';
import { TargetCommands } from './target-commands.service';
import { CreateTargetDto, RemoveTargetDto, PatchTargetDto, TargetActionReasonDto } from './target.dto';
import { TargetReadModel } from './target-read-model';
import { TargetRepository } from './target-repository';
import { targetView } from './target.view';
import type { TargetState } from './target.state';
import { Holds } from '../pausing/holds.service';
import { PauseLoopDto, ResumeLoopDto } from '../pausing/pause-loop.dto';
import { badRequestExample, conflictExample } from '../http/error-examples';

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*::[A-Za-z0-9][A-Za-z0-9._-]*$/;
const checkKey = (key: string) => {
  if (!KEY.test(key)) throw new NotFound(`no target ${key}`);
  return key;
};

const STATUS_EXAMPLE = {
  pollStatus: {
    lastSuccess: '2025-10-20T13:05:10Z',
    lastError: { at: '2025-10-20T13:05:40Z', message: 'timeout after 5000 ms', category: 'transient' },
    consecutiveFailures: 2,
    firstFailureAt: '2025-10-20T13:05:20Z',
  },
  breaker: { state: 'closed', since: '2025-10-20T12:00:00Z', lastTransition: null, retryAt: null, failureCount: 2 },
  deadLetter: { present: false },
};
const TARGET_EXAMPLE = {
  key: 'instance::eu-1',
  type: 'instance',
  name: 'eu-1',
  displayName: 'eu-1',
  connection: 'http://127.0.0.1:9000/ping',
  source: 'api',
  tenant: null,
  paused: false,
  hold: null,
  probe: { kind: 'http', url: 'http://127.0.0.1:9000/ping', method: 'GET', expectStatus: 200, timeoutMs: 5000 },
  intervalSeconds: 10,
  adaptive: true,
  freshness: { objective: 99.5, maxAgeSeconds: 300, window: '30d' },
  registeredAt: '2025-10-20T12:00:00Z',
  nextPollAt: '2025-10-20T13:05:50Z',
  lastInterval: {
    mode: 'adaptive',
    baseMs: 10000,
    minMs: 5000,
    maxMs: 300000,
    stalenessScore: 0.13,
    recentErrors: 2,
    previousMs: 9000,
    rawMs: 117000,
    smoothedMs: 73800,
    jitter: 1.02,
    factor: 1,
    chosenMs: 75276,
  },
  ...STATUS_EXAMPLE,
};
const HOLD_EXAMPLE = {
  source: 'pause',
  scope: 'target',
  subject: 'instance::eu-1',
  reason: 'flapping upstream',
  by: 'alice',
  since: '2026-03-02T10:00:00Z',
  until: '2026-03-02T11:00:00Z',
};
const ACCEPTED = (action: string) => ({ status: 202, schema: { example: { key: 'instance::eu-1', accepted: action, events: ['…'] } } });
const BAD_INPUT = {
  status: 400,
  schema: {
    example: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'probe.url: must be an http(s) URL',
      fields: [{ field: 'probe.url', problem: 'must be an http(s) URL' }],
    },
  },
};
const NOT_FOUND = {
  status: 404,
  description: 'No such target, or (tenant-scoped token) a target of another tenant: both answer the same.',
  schema: { example: { statusCode: 404, error: 'Not Found', message: 'no target instance::eu-9' } },
};

@ApiTags('targets')
@ApiBearerAuth()
@Controller('api/targets')
export class TargetsController {
  constructor(
    private readonly commands: TargetCommands,
    private readonly read: TargetReadModel,
    private readonly repo: TargetRepository,
    private readonly holds: Holds,
  ) {}

  /** The target as the API shows it, with what holds it now. */
  private view(t: TargetState) {
    return targetView(t, this.holds.holdFor({ tenant: t.spec.tenant ?? null, target: t.key }));
  }

  /**
   * A tenant-scoped caller acting on another tenant's target gets the same 404 as for a missing
   * one (its existence is not revealed). Checked against the log, not the lagging read model.
   */
  private async visible(key: string, tenant: string | null): Promise<string> {
    checkKey(key);
    if (tenant !== null) {
      const { state } = await this.repo.load(key);
      if (!state || !inScope(tenant, state.spec.tenant)) throw new NotFound(`no target ${key}`);
    }
    return key;
  }

  @Get()
  @Roles('viewer')
  @TenantScope('tenant', "the tenant's targets only")
  @ApiOperation({ summary: 'All polling targets with their poll status, breaker and dead-letter state (from the read model).' })
  @ApiResponse({ status: 200, schema: { example: { targets: [TARGET_EXAMPLE] } } })
  async list(@CallerTenant() tenant: string | null) {
    return { targets: (await this.read.all(tenant)).map((t) => this.view(t)) };
  }

  @Get(':key')
  @Roles('viewer')
  @TenantScope('tenant', "404 for another tenant's target or one without a tenant")
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({ summary: 'One target.' })
  @ApiResponse({ status: 200, schema: { example: TARGET_EXAMPLE } })
  @ApiResponse(NOT_FOUND)
  async get(@Param('key') key: string, @CallerTenant() tenant: string | null) {
    const t = await this.read.get(checkKey(key));
    if (!t || !inScope(tenant, t.spec.tenant)) throw new NotFound(`no target ${key}`);
    return this.view(t);
  }

  @Post()
  @Roles('operator')
  @TenantScope('tenant', 'registers into its tenant; another `tenant` in the body → 400')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a target (operator). Only type, name, probe.kind and probe.url are required. Audited as target.register.' })
  @ApiResponse({ status: 201, schema: { example: TARGET_EXAMPLE } })
  @ApiResponse(BAD_INPUT)
  @ApiResponse({ status: 409, schema: { example: { statusCode: 409, error: 'Conflict', message: 'target instance::eu-1 is already registered' } } })
  async create(@Body() body: CreateTargetDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    if (body.tenant !== undefined && !inScope(tenant, body.tenant))
      throw BadInput.field('tenant', `this token is scoped to tenant "${tenant}"; omit tenant or set it to "${tenant}"`);
    const res = await this.commands.register(specFromDto({ ...body, tenant: body.tenant ?? tenant ?? undefined }), 'api', op, body.reason);
    return this.view(res.state!);
  }

  @Patch(':key')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({ summary: 'Change a target or pause/resume it with {"paused": true|false} (operator). Audited.' })
  @ApiResponse({ status: 200, schema: { example: { ...TARGET_EXAMPLE, paused: true } } })
  @ApiResponse(BAD_INPUT)
  @ApiResponse(NOT_FOUND)
  async patch(@Param('key') key: string, @Body() body: PatchTargetDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const { reason, ...patch } = body;
    const res = await this.commands.change(
      await this.visible(key, tenant),
      { ...patch, probe: patch.probe ? specFromDto({ type: 'x', name: 'x', probe: patch.probe }).probe : undefined },
      op,
      reason,
    );
    if (patch.paused !== undefined) await this.holds.refresh();
    return this.view(res.state!);
  }

  @Post(':key/pause')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @HttpCode(200)
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({
    summary:
      'Pause polling of one target until resumed (or until resumeAt): it is not polled (no failure, no breaker effect). Needs a reason; audited as target.pause. 409 when paused already.',
  })
  @ApiResponse({ status: 200, schema: { example: { ...TARGET_EXAMPLE, paused: true, hold: HOLD_EXAMPLE } } })
  @ApiResponse(badRequestExample('resumeAt', 'must be in the future'))
  @ApiResponse(NOT_FOUND)
  @ApiResponse(conflictExample('target instance::eu-1 is paused already (by alice since 2026-03-02T10:00:00.000Z: "flapping upstream"); resume it first'))
  async pause(@Param('key') key: string, @Body() body: PauseLoopDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const res = await this.commands.pause(await this.visible(key, tenant), op, body.reason, body.resumeAt ?? null);
    await this.holds.refresh();
    return this.view(res.state!);
  }

  @Post(':key/resume')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @HttpCode(200)
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({ summary: 'Resume polling at the target’s next due time. Needs a reason; audited as target.resume. 409 when not paused.' })
  @ApiResponse({ status: 200, schema: { example: TARGET_EXAMPLE } })
  @ApiResponse(badRequestExample('reason', 'should not be empty'))
  @ApiResponse(NOT_FOUND)
  @ApiResponse(conflictExample('target instance::eu-1 is not paused'))
  async resume(@Param('key') key: string, @Body() body: ResumeLoopDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const res = await this.commands.resume(await this.visible(key, tenant), op, body.reason);
    await this.holds.refresh();
    return this.view(res.state!);
  }

  @Delete(':key')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @HttpCode(202)
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({ summary: 'Remove a target (operator); body {"reason": "..."} optional. Its events stay in the log. Audited as target.remove.' })
  @ApiResponse(ACCEPTED('remove'))
  @ApiResponse(NOT_FOUND)
  async remove(@Param('key') key: string, @Body() body: RemoveTargetDto = {}, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const res = await this.commands.remove(await this.visible(key, tenant), op, body?.reason);
    return { key, accepted: 'remove', events: res.events.map((e) => e.type) };
  }

  @Post(':key/redrive')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @HttpCode(202)
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({
    summary: 'Take a dead-lettered target out of the dead-letter set and probe it at once (operator, reason required). Audited as target.redrive.',
  })
  @ApiResponse(ACCEPTED('redrive'))
  @ApiResponse(BAD_INPUT)
  @ApiResponse(NOT_FOUND)
  @ApiResponse({ status: 409, schema: { example: { statusCode: 409, error: 'Conflict', message: 'target instance::eu-1 is not dead-lettered' } } })
  async redrive(@Param('key') key: string, @Body() body: TargetActionReasonDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const res = await this.commands.redrive(await this.visible(key, tenant), op, body.reason);
    return { key, accepted: 'redrive', events: res.events.map((e) => e.type) };
  }

  @Post(':key/reset-breaker')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @HttpCode(202)
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({ summary: 'Close the breaker by hand and probe at once (operator, reason required). Audited as target.reset_breaker.' })
  @ApiResponse(ACCEPTED('reset-breaker'))
  @ApiResponse(BAD_INPUT)
  @ApiResponse(NOT_FOUND)
  async resetBreaker(@Param('key') key: string, @Body() body: TargetActionReasonDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const res = await this.commands.resetBreaker(await this.visible(key, tenant), op, body.reason);
    return { key, accepted: 'reset-breaker', events: res.events.map((e) => e.type) };
  }

  @Post(':key/poll-now')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @HttpCode(202)
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({
    summary: 'Probe the target at once, even with an open breaker or in the dead-letter set (operator, reason required). Audited as target.poll_now.',
  })
  @ApiResponse(ACCEPTED('poll-now'))
  @ApiResponse(BAD_INPUT)
  @ApiResponse(NOT_FOUND)
  @ApiResponse({ status: 409, schema: { example: { statusCode: 409, error: 'Conflict', message: 'target instance::eu-1 is paused; resume it first' } } })
  async pollNow(@Param('key') key: string, @Body() body: TargetActionReasonDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const res = await this.commands.pollNow(await this.visible(key, tenant), op, body.reason);
    return { key, accepted: 'poll-now', events: res.events.map((e) => e.type) };
  }
}
