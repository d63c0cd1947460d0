/**
 * What a route does with a tenant-scoped token (one whose `tenant` is set). Every controller
 * method declares one; TenantScopeGuard enforces `installation`, the handlers and services
 * enforce `tenant` with `inScope`.
 * - `tenant`: confined to the caller's tenant: lists are filtered, another tenant's single object
 *   answers 404 (as if it did not exist), actions touch the caller's objects only.
 * - `installation`: about the whole installation (every tenant, or shared machinery): a scoped
 *   token gets 403 saying why; only unscoped tokens may call it.
 * - `shared`: carries no tenant's data (liveness, the caller's own identity, restore drills): the
 *   same for every caller.
 */
export const TENANT_RULES = ['tenant', 'installation', 'shared'] as const;
export type TenantRule = (typeof TENANT_RULES)[number];

/**
 * The one tenant check: whether a caller limited to `scope` (null = unscoped: sees everything)
 * may see or act on something owned by `owner` (null/undefined = no tenant: unscoped callers only).
 */
export const inScope = (scope: string | null, owner: string | null | undefined): boolean => scope === null || owner === scope;
