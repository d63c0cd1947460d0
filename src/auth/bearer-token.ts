/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750; the scheme is case-insensitive),
 * or null when the header is absent or has another shape. The one parser: the auth guard, the rate
 * limiter, ops health and the queue snapshot all read the header through it.
 */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  return /^Bearer +(\S+) *$/i.exec(header)?.[1] ?? null;
}
