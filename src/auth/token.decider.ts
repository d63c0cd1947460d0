import { Decider, Decision, reject } from '../shared/decider';
import { ROLES, Role } from '../access/roles';
import { TOKEN_HASH_REKEYED } from './token-hash-rekeyed.event';
import { HASH_SCHEME, TOKEN_ISSUED } from './token-issued.event';
import { TOKEN_REVOKED } from './token-revoked.event';
import { TOKEN_ID_PATTERN, TokenEvent } from './token.events';
import { evolveToken, initialTokenState, TokenState } from './token.state';
import { inScope } from '../access/tenant-scope';

/** The name the OPSLEDGER_ADMIN_TOKEN bootstrap uses; reserved so no issued token can pose as it. */
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap-admin';

/**
 * Names the audit log and the guard give to actors that are not issued tokens (the service itself,
 * the bootstrap, unauthenticated callers, METRICS_TOKEN): an issued token may not pose as them.
 * Compared after NFKC and lower-casing, so "System" and full-width look-alikes are refused too.
 */
export const RESERVED_TOKEN_NAMES = ['system', BOOTSTRAP_TOKEN_NAME, 'anonymous', 'static-secret'] as const;
/** Actors of the CLIs are `cli:<os user>`. */
export const RESERVED_TOKEN_NAME_PREFIX = 'cli:';

/**
 * Characters a reader cannot see, or sees as something else: controls (Cc), format characters such
 * as zero-width and bidi overrides (Cf), lone surrogates (Cs), private-use and unassigned code
 * points (Co, Cn), line and paragraph separators (Zl, Zp), default-ignorables (Hangul fillers,
 * variation selectors), the blank braille pattern, and every space but U+0020.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]|(?! )\p{Zs}/u;
const MAX_NAME_CHARS = 100;

export interface IssueToken {
  readonly kind: 'IssueToken';
  readonly tokenId: string;
  readonly name: string;
  readonly role: string;
  readonly tenant: string | null;
  /** Keyed digest of the secret (token-secret.ts): the decider never sees the secret itself. */
  readonly hash: string;
  readonly expiresAt: string | null;
  /** Now, from the caller's clock. */
  readonly at: Date;
  /** Only the OPSLEDGER_ADMIN_TOKEN bootstrap may use the reserved name. */
  readonly bootstrap?: boolean;
  /** Tenant of the token issuing this one: a tenant-scoped admin issues only for its own tenant. */
  readonly issuerTenant: string | null;
}

export interface RevokeToken {
  readonly kind: 'RevokeToken';
  readonly tokenId: string;
  readonly reason: string;
  /** Tenant of the revoking token: a tenant-scoped admin sees (and revokes) only its tenant's tokens. */
  readonly revokerTenant: string | null;
}

/** Replace a legacy (bare SHA-256) digest by its keyed digest; nothing when already keyed. */
export interface RekeyTokenHash {
  readonly kind: 'RekeyTokenHash';
  readonly tokenId: string;
  readonly hash: string;
}

export type TokenCommand = IssueToken | RevokeToken | RekeyTokenHash;

const TENANT = /^[A-Za-z0-9._-]{1,100}$/;
const HASH = /^[0-9a-f]{64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const invalid = (field: string, problem: string) => reject('invalid', problem, field);

/**
 * Rules for issuing, revoking and re-keying a token: the events to append, or a Rejection. The
 * time and the caller's tenant come in the command; the decider never sees a secret, only digests.
 */
export const tokenDecider: Decider<TokenState, TokenCommand, TokenEvent> = {
  initialState: initialTokenState,
  evolve: evolveToken,
  decide(command, state) {
    switch (command.kind) {
      case 'IssueToken':
        return decideIssue(command, state);
      case 'RevokeToken':
        return decideRevoke(command, state);
      case 'RekeyTokenHash':
        return decideRekey(command, state);
    }
  },
};

/** Why a token name is refused, or null. */
export function tokenNameProblem(name: string, bootstrap: boolean): string | null {
  const chars = [...name];
  if (chars.length === 0 || chars.length > MAX_NAME_CHARS) return `must be 1-${MAX_NAME_CHARS} characters`;
  const bad = INVISIBLE.exec(name);
  if (bad) {
    const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `must be visible characters: U+${cp} is a control, format, separator or otherwise invisible character`;
  }
  const folded = name.normalize('NFKC').toLowerCase();
  const reserved = RESERVED_TOKEN_NAMES.find((r) => r === folded);
  if (reserved === BOOTSTRAP_TOKEN_NAME && bootstrap && name === BOOTSTRAP_TOKEN_NAME) return null;
  if (reserved)
    return `"${name}" is reserved${reserved === BOOTSTRAP_TOKEN_NAME ? ' for the OPSLEDGER_ADMIN_TOKEN bootstrap' : ': the audit log uses it for actors that are not tokens'}`;
  if (folded.startsWith(RESERVED_TOKEN_NAME_PREFIX)) return `must not start with "${RESERVED_TOKEN_NAME_PREFIX}": the audit log names command-line users so`;
  return null;
}

function decideIssue(c: IssueToken, state: TokenState): Decision<TokenEvent> {
  if (!TOKEN_ID_PATTERN.test(c.tokenId)) return invalid('tokenId', 'must be 1-80 letters, digits, "-" or "_"');
  const name = c.name.trim();
  const nameProblem = tokenNameProblem(name, !!c.bootstrap);
  if (nameProblem) return invalid('name', nameProblem);
  if (!(ROLES as readonly string[]).includes(c.role)) return invalid('role', `must be one of ${ROLES.join(', ')}`);
  if (c.tenant !== null && !TENANT.test(c.tenant)) return invalid('tenant', 'must be 1-100 letters, digits, ".", "-" or "_"');
  if (!inScope(c.issuerTenant, c.tenant))
    return reject('forbidden', `a token scoped to tenant "${c.issuerTenant}" can only issue tokens for that tenant`, 'tenant');
  if (!HASH.test(c.hash)) return invalid('hash', 'must be a 256-bit hex digest');
  let expiresAt: string | null = null;
  if (c.expiresAt !== null) {
    const t = Date.parse(c.expiresAt);
    if (!RFC3339.test(c.expiresAt) || Number.isNaN(t)) return invalid('expiresAt', 'must be an RFC 3339 timestamp, e.g. 2027-01-01T00:00:00Z');
    if (t <= c.at.getTime()) return invalid('expiresAt', `must be in the future (now is ${c.at.toISOString()})`);
    expiresAt = new Date(t).toISOString();
  }
  if (state.status !== 'none') return reject('conflict', `token ${c.tokenId} was issued already`);
  return [
    {
      type: TOKEN_ISSUED,
      data: {
        tokenId: c.tokenId,
        name,
        role: c.role as Role,
        tenant: c.tenant,
        hash: c.hash,
        hashScheme: HASH_SCHEME,
        issuedAt: c.at.toISOString(),
        expiresAt,
      },
    },
  ];
}

function decideRevoke(c: RevokeToken, state: TokenState): Decision<TokenEvent> {
  const reason = c.reason.trim();
  if (!reason) return invalid('reason', 'is required: say why the token is revoked');
  if (reason.length > 500) return invalid('reason', 'must be at most 500 characters');
  // Another tenant's token is answered as absent: its existence is not this caller's business.
  if (state.status === 'none' || !inScope(c.revokerTenant, state.tenant)) return reject('not_found', `no token with id ${c.tokenId}`);
  if (state.status === 'revoked') return reject('conflict', `token ${c.tokenId} ("${state.name}") is revoked already`);
  return [{ type: TOKEN_REVOKED, data: { tokenId: c.tokenId, reason } }];
}

function decideRekey(c: RekeyTokenHash, state: TokenState): Decision<TokenEvent> {
  if (!HASH.test(c.hash)) return invalid('hash', 'must be a 256-bit hex digest');
  if (state.status === 'none' || state.hashScheme === HASH_SCHEME) return [];
  return [{ type: TOKEN_HASH_REKEYED, data: { tokenId: c.tokenId, hash: c.hash, hashScheme: HASH_SCHEME } }];
}
