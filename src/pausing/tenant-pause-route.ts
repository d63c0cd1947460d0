import { applyDecorators, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { badRequestExample, conflictExample, notFoundExample } from '../http/error-examples';
import { PAUSE_EXAMPLE, RESUMED_EXAMPLE } from './pause.view';

/** What a tenant-wide pause holds: `tenant-jobs` or `tenant-targets` (the route's last but one segment). */
export type TenantPauseKind = 'jobs' | 'targets';

/**
 * `POST <prefix>:tenant/<jobs|targets>/<pause|resume>`: an operator's route, its own tenant only
 * (another → 404), with its OpenAPI description and examples. One definition for every
 * tenant-wide pause so their answers and documents cannot drift apart.
 */
export function TenantPauseRoute(prefix: string, kind: TenantPauseKind, action: 'pause' | 'resume', summary: string, example: Record<string, unknown> = {}) {
  const scope = `tenant-${kind}`;
  const errors =
    action === 'pause'
      ? [
          ApiResponse(badRequestExample('resumeAt', 'must be in the future')),
          ApiResponse(notFoundExample('no tenant globex')),
          ApiResponse(conflictExample(`the ${kind} of tenant acme are paused already (by alice since 2026-03-02T10:00:00.000Z: "migration"); resume it first`)),
        ]
      : [ApiResponse(notFoundExample('no tenant globex')), ApiResponse(conflictExample(`the ${kind} of tenant acme are not paused`))];
  const base = action === 'pause' ? PAUSE_EXAMPLE : RESUMED_EXAMPLE;
  return applyDecorators(
    Post(`${prefix}:tenant/${kind}/${action}`),
    HttpCode(200),
    Roles('operator'),
    TenantScope('tenant', 'its own tenant only; another tenant → 404'),
    ApiParam({ name: 'tenant', example: 'acme' }),
    ApiOperation({ summary }),
    ApiResponse({ status: 200, schema: { example: { ...base, scope, subject: 'acme', ...example } } }),
    ...errors,
  );
}
