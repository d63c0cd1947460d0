import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Principal, Role } from '../access/roles';

/** Who pressed the button, from where, in which request: attached to every operator action. */
export interface OperatorContext {
  readonly actor: string;
  readonly role: Role;
  readonly tenant: string | null;
  readonly requestId: string;
  readonly clientIp: string;
}

export const Operator = createParamDecorator((_: unknown, ctx: ExecutionContext): OperatorContext => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
  const p = req.principal;
  return { actor: p?.name ?? 'anonymous', role: p?.role ?? 'viewer', tenant: p?.tenant ?? null, requestId: String(req.id), clientIp: req.ip };
});

/** For actions taken by the system itself (config reconcile at start, janitor on its timer). */
export const systemOperator = (requestId: string): OperatorContext => ({ actor: 'system', role: 'admin', tenant: null, requestId, clientIp: '' });
