import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Clock, CLOCK } from '../shared/clock';
import { BadInput } from '../shared/errors';
import { IssuedToken, IssueTokenCommand } from './issue-token.command';
import { IssueTokenDto } from './issue-token.dto';
import { RevokedToken, RevokeTokenCommand } from './revoke-token.command';
import { RevokeTokenDto } from './revoke-token.dto';
import { ApiUnauthorized, CurrentPrincipal, Roles } from '../access/roles.decorator';
import type { Principal } from '../access/roles';
import { inScope } from '../access/tenant-scope';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { TokenView, tokenView } from './token-view';
import { TokenRepository } from './token-repository';
import { TOKEN_ID_PATTERN } from './token.events';

const ISSUED_EXAMPLE = {
  tokenId: '3f0c2d5e-8a7b-4c1d-9e2f-1a2b3c4d5e6f',
  name: 'ci',
  role: 'operator',
  tenant: null,
  issuedAt: '2026-03-01T10:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
  token: 'olt_q3T0…43 characters…',
  notice: 'Store this token now: it is not shown again.',
};

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly commands: CommandBus,
    private readonly tokens: TokenRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('whoami')
  @Roles('viewer')
  @TenantScope('shared', 'the calling token only')
  @ApiOperation({ summary: 'The calling token: its name, role and tenant scope.' })
  @ApiResponse({ status: 200, schema: { example: { name: 'ci', role: 'operator', tenant: null } } })
  whoami(@CurrentPrincipal() p: Principal) {
    return { name: p.name, role: p.role, tenant: p.tenant };
  }

  @Post('tokens')
  @Roles('admin')
  @TenantScope('tenant', 'issues for its tenant only (the default); another tenant → 403')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a bearer token (admin). The token is in this response only; the server keeps its SHA-256 hash. Audited as token.issue.' })
  @ApiResponse({ status: 201, schema: { example: ISSUED_EXAMPLE } })
  @ApiResponse({
    status: 400,
    schema: {
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'role: role must be one of viewer, operator, admin',
        fields: [{ field: 'role', problem: 'role must be one of viewer, operator, admin' }],
      },
    },
  })
  async issue(@Body() body: IssueTokenDto, @Operator() op: OperatorContext): Promise<IssuedToken & { notice: string }> {
    const issued = await this.commands.execute(
      new IssueTokenCommand(op, { name: body.name, role: body.role, tenant: body.tenant, expiresAt: body.expiresAt ?? null }, body.reason),
    );
    return { ...issued, notice: 'Store this token now: it is not shown again.' };
  }

  // No @Roles: relies on (and so exercises) the admin default.
  @Get('tokens')
  @TenantScope('tenant', "the tenant's tokens only")
  @ApiUnauthorized()
  @ApiResponse({
    status: 403,
    schema: {
      example: { statusCode: 403, error: 'Forbidden', message: 'this needs the admin role or higher; token "ci" has operator', requiredRole: 'admin' },
    },
  })
  @ApiOperation({ summary: 'All tokens (of its tenant, for a tenant-scoped admin), oldest first, with status (admin). Never returns secrets or hashes.' })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        tokens: [
          {
            tokenId: ISSUED_EXAMPLE.tokenId,
            name: 'ci',
            role: 'operator',
            tenant: null,
            status: 'active',
            issuedAt: ISSUED_EXAMPLE.issuedAt,
            expiresAt: null,
            revokedAt: null,
            revokeReason: null,
          },
        ],
      },
    },
  })
  async list(@CallerTenant() tenant: string | null): Promise<{ tokens: TokenView[] }> {
    const now = this.clock.now().getTime();
    const rows = (await this.tokens.list()).filter((r) => inScope(tenant, r.tenant));
    return { tokens: rows.map((r) => tokenView(r, now)) };
  }

  @Delete('tokens/:id')
  @Roles('admin')
  @TenantScope('tenant', "404 for another tenant's token")
  @ApiOperation({ summary: 'Revoke a token (admin); it stops working at once in this process, within AUTH_CACHE_MS in others. Audited as token.revoke.' })
  @ApiParam({ name: 'id', description: 'tokenId from the list', example: ISSUED_EXAMPLE.tokenId })
  @ApiQuery({ name: 'reason', required: false, description: 'Why; alternatively in the JSON body.' })
  @ApiBody({ type: RevokeTokenDto, required: false })
  @ApiResponse({
    status: 200,
    schema: { example: { tokenId: ISSUED_EXAMPLE.tokenId, name: 'ci', revokedAt: '2026-03-02T08:00:00.000Z', reason: 'laptop lost' } },
  })
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: `no token with id ${ISSUED_EXAMPLE.tokenId}` } } })
  @ApiResponse({
    status: 409,
    schema: { example: { statusCode: 409, error: 'Conflict', message: `token ${ISSUED_EXAMPLE.tokenId} ("ci") is revoked already` } },
  })
  // The body's type must be the DTO alone: a union erases it to Object and the body goes unvalidated.
  async revoke(@Param('id') id: string, @Body() body: RevokeTokenDto, @Query() query: RevokeTokenDto, @Operator() op: OperatorContext): Promise<RevokedToken> {
    if (!TOKEN_ID_PATTERN.test(id)) throw BadInput.field('id', 'must be a tokenId from GET /api/auth/tokens');
    const reason = body?.reason ?? query.reason;
    if (!reason) throw BadInput.field('reason', 'is required (JSON body {"reason": "..."} or ?reason=)');
    return this.commands.execute(new RevokeTokenCommand(op, id, reason));
  }
}
