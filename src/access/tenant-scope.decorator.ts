import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiResponse } from '@nestjs/swagger';
import type { Principal } from './roles';
import type { TenantRule } from './tenant-scope';

export const TENANT_SCOPE = 'opsledger:tenant-scope';
/** The OpenAPI operation extension that carries the rule (the security test walks it). */
export const TENANT_SCOPE_EXTENSION = 'x-tenant-scope';

export interface TenantScopeDeclaration {
  readonly rule: TenantRule;
  /** What the rule means on this route, for the docs table (e.g. what a scoped token sees). */
  readonly note: string;
}

/** The 403 a scoped token gets on an `installation` route. */
export const installationOnlyMessage = (p: Pick<Principal, 'name' | 'tenant'>) =>
  `this acts on the whole installation, not one tenant: it needs a token without a tenant; token "${p.name}" is scoped to tenant "${p.tenant}"`;

/** Declares the route's tenant rule (on each controller method; a route without one is refused to scoped tokens and fails the security tests). */
export const TenantScope = (rule: TenantRule, note: string) =>
  applyDecorators(
    SetMetadata(TENANT_SCOPE, { rule, note } satisfies TenantScopeDeclaration),
    ApiExtension(TENANT_SCOPE_EXTENSION, rule),
    ...(rule === 'installation'
      ? [
          ApiResponse({
            status: 403,
            description: 'A tenant-scoped token: this route acts on the whole installation.',
            schema: {
              example: { statusCode: 403, error: 'Forbidden', message: installationOnlyMessage({ name: 'acme-admin', tenant: 'acme' }), tenant: 'acme' },
            },
          }),
        ]
      : []),
  );

/** The caller's tenant scope: its token's tenant, null for an unscoped token (or none, on public routes). */
export const CallerTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string | null => {
  const p: Principal | undefined = ctx.switchToHttp().getRequest().principal;
  return p?.tenant ?? null;
});
