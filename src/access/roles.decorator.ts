import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { Principal, Role } from './roles';

export const MIN_ROLE = 'opsledger:min-role';

/** The 401 every protected route may answer; exported so routes relying on the admin default can document it too. */
export const ApiUnauthorized = () =>
  ApiResponse({
    status: 401,
    description: 'No, unknown, revoked or expired bearer token (WWW-Authenticate: Bearer).',
    schema: { example: { statusCode: 401, error: 'Unauthorized', message: 'the bearer token has been revoked' } },
  });

const ApiForbidden = (role: Role) =>
  ApiResponse({
    status: 403,
    description: `The token's role is below ${role}.`,
    schema: { example: { statusCode: 403, error: 'Forbidden', message: `this needs the ${role} role or higher; token "ci" has viewer`, requiredRole: role } },
  });

/**
 * The least role a token needs for this route (on a method or a controller; the method wins).
 * Routes without it need `admin`. Also documents the 401/403 answers in the OpenAPI document.
 */
export const Roles = (role: Role) => applyDecorators(SetMetadata(MIN_ROLE, role), ApiUnauthorized(), ...(role === 'viewer' ? [] : [ApiForbidden(role)]));

/** The authenticated caller (undefined only on @Public routes). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest().principal;
});
