import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Principal, Role } from './roles';

export const MIN_ROLE = 'opsledger:min-role';
/** The least role a token needs for this route. Routes without it need `admin`. */
export const Roles = (role: Role) => SetMetadata(MIN_ROLE, role);

/** The authenticated caller (undefined only on @Public routes). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest().principal;
});
