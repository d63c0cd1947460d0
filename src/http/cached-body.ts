import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AS_OF_HEADER } from '../point-in-time/at.dto';

/** A serialised answer as the read caches keep it: its bytes, its strong ETag and the instant it describes. */
export interface CachedBody {
  readonly bytes: Buffer;
  readonly etag: string;
  readonly asOf: Date;
}

/** What identifies one cached answer: the endpoint, the caller's tenant scope (null = every tenant) and any query parameter that shapes the body. */
export interface ReadKey {
  readonly endpoint: string;
  readonly scope: string | null;
  readonly variant?: string;
}

/** The key as a string; a scope is quoted so no tenant name can collide with another key's parts. */
export const keyOf = (k: ReadKey): string => `${k.endpoint}|${k.scope === null ? '*' : JSON.stringify(k.scope)}|${k.variant ?? ''}`;

/** A strong entity tag: the same inputs give the same tag, and any change of them a new one. */
export const strongEtag = (...parts: (string | Buffer)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return `"${h.digest('base64url').slice(0, 27)}"`;
};

/** RFC 9110 §13.1.2: If-None-Match compares weakly (a W/ prefix is ignored); `*` matches any current body. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * Sends a cached answer: ETag, X-Opsledger-As-Of and the bytes as JSON, or 304 without a body when
 * the client's If-None-Match already names this body. `private, no-cache`: a body is one token
 * scope's, and a client must ask again (cheaply, with the tag) before reusing it.
 */
export function sendCached(req: FastifyRequest, reply: FastifyReply, body: CachedBody): Buffer | undefined {
  void reply.header('etag', body.etag).header('cache-control', 'private, no-cache').header(AS_OF_HEADER, body.asOf.toISOString());
  if (noneMatch(req.headers['if-none-match'], body.etag)) {
    void reply.status(304);
    return undefined;
  }
  void reply.type('application/json; charset=utf-8');
  return body.bytes;
}
