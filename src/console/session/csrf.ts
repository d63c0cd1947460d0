import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { secretsEqual } from '../../auth/token-secret';

export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The CSRF token of a session: HMAC(TOKEN_HASH_KEY, session id). Bound to the session, the same in
 * every process, stored nowhere; handed to the console in the JSON of POST/GET /api/session (a
 * cross-site page cannot read that) and sent back in X-CSRF-Token on every state-changing request.
 */
export function csrfTokenFor(key: Buffer, sessionId: string): string {
  return createHmac('sha256', key).update(`opsledger-csrf\0${sessionId}`, 'utf8').digest('base64url');
}

export const isStateChanging = (method: string) => UNSAFE.has(method.toUpperCase());

/** The request's own origin as a browser names it (scheme from trusted X-Forwarded-Proto only). */
export function ownOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? ''}`;
}

/** Why a cookie-authenticated request is refused as cross-site, or null. */
export function csrfProblem(req: FastifyRequest, expected: string | null): string | null {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null' && origin !== ownOrigin(req)) return `Origin ${origin} is not this service (${ownOrigin(req)})`;
  if (origin === 'null') return 'Origin null (an opaque origin) is refused';
  if (expected === null) return null;
  const sent = req.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !sent)
    return `${CSRF_HEADER}: missing: a request signed in with the console session cookie must send the CSRF token from POST /api/session (or GET /api/session) in the X-CSRF-Token header`;
  if (!secretsEqual(sent, expected)) return `${CSRF_HEADER}: does not match this session's CSRF token`;
  return null;
}
