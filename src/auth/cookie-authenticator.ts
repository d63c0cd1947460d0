import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../access/roles';

/**
 * A credential the AuthGuard accepts instead of a bearer token: the console's session cookie
 * (src/console/session). The guard depends on this port, the console provides it, so auth does not
 * import the console that builds on it.
 */
export interface CookieAuthenticator {
  /** Whether the request carries the cookie at all (the guard then asks no bearer token). */
  presented(req: FastifyRequest): boolean;
  /** The principal the cookie stands for; throws the 401/403 (CSRF) answer itself. */
  authenticate(req: FastifyRequest, reply: FastifyReply): Promise<Principal>;
}

export const COOKIE_AUTHENTICATOR = Symbol('COOKIE_AUTHENTICATOR');
