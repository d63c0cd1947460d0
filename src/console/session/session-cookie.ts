import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'opsledger_session';

/** HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it), Secure over https. */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, secret: string, maxAgeMs: number): void {
  void reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.protocol === 'https',
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', path: '/' });
}

export function sessionCookieOf(req: FastifyRequest): string | null {
  const v = (req as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE];
  return v ? v : null;
}
