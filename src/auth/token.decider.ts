import { ROLES, Role } from './roles';
import { TOKEN_ISSUED, TokenIssued } from './token-issued.event';
import { TokenRejected } from './token-rejected.error';
import { TOKEN_REVOKED, TokenRevoked } from './token-revoked.event';
import { TOKEN_ID_PATTERN, TokenEvent } from './token-stream';
import { inScope } from './tenant-scope';

/** The name the OPSLEDGER_ADMIN_TOKEN bootstrap uses; reserved so no issued token can pose as it. */
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap-admin';

export interface IssueToken {
  readonly kind: 'IssueToken';
  readonly tokenId: string;
  readonly name: string;
  readonly role: string;
  readonly tenant: string | null;
  /** SHA-256 of the secret: the decider never sees the secret itself. */
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

export type TokenCommand = IssueToken | RevokeToken;

export type TokenState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'revoked';
      readonly tokenId: string;
      readonly name: string;
      readonly role: Role;
      readonly tenant: string | null;
      readonly hash: string;
      readonly issuedAt: string;
      readonly expiresAt: string | null;
      readonly revokeReason: string | null;
    };

export const initialTokenState: TokenState = { status: 'none' };

const NAME = /^[^\u0000-\u001f\u007f]{1,100}$/;
const TENANT = /^[A-Za-z0-9._-]{1,100}$/;
const HASH = /^[0-9a-f]{64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const invalid = (field: string, problem: string) => new TokenRejected('invalid', problem, field);

/** Rules for issuing and revoking; returns the events to append or throws TokenRejected. */
export function decideToken(command: IssueToken, state: TokenState): TokenIssued[];
export function decideToken(command: RevokeToken, state: TokenState): TokenRevoked[];
export function decideToken(command: TokenCommand, state: TokenState): TokenEvent[];
export function decideToken(command: TokenCommand, state: TokenState): TokenEvent[] {
  switch (command.kind) {
    case 'IssueToken':
      return decideIssue(command, state);
    case 'RevokeToken':
      return decideRevoke(command, state);
  }
}

function decideIssue(c: IssueToken, state: TokenState): TokenIssued[] {
  if (!TOKEN_ID_PATTERN.test(c.tokenId)) throw invalid('tokenId', 'must be 1-80 letters, digits, "-" or "_"');
  const name = c.name.trim();
  if (!NAME.test(name)) throw invalid('name', 'must be 1-100 printable characters');
  if (name === BOOTSTRAP_TOKEN_NAME && !c.bootstrap) throw invalid('name', `"${BOOTSTRAP_TOKEN_NAME}" is reserved for the OPSLEDGER_ADMIN_TOKEN bootstrap`);
  if (!(ROLES as readonly string[]).includes(c.role)) throw invalid('role', `must be one of ${ROLES.join(', ')}`);
  if (c.tenant !== null && !TENANT.test(c.tenant)) throw invalid('tenant', 'must be 1-100 letters, digits, ".", "-" or "_"');
  if (!inScope(c.issuerTenant, c.tenant)) throw new TokenRejected('forbidden', `a token scoped to tenant "${c.issuerTenant}" can only issue tokens for that tenant`, 'tenant');
  if (!HASH.test(c.hash)) throw invalid('hash', 'must be a SHA-256 hex digest');
  let expiresAt: string | null = null;
  if (c.expiresAt !== null) {
    const t = Date.parse(c.expiresAt);
    if (!RFC3339.test(c.expiresAt) || Number.isNaN(t)) throw invalid('expiresAt', 'must be an RFC 3339 timestamp, e.g. 2027-01-01T00:00:00Z');
    if (t <= c.at.getTime()) throw invalid('expiresAt', `must be in the future (now is ${c.at.toISOString()})`);
    expiresAt = new Date(t).toISOString();
  }
  if (state.status !== 'none') throw new TokenRejected('conflict', `token ${c.tokenId} was issued already`);
  return [
    {
      type: TOKEN_ISSUED,
      data: { tokenId: c.tokenId, name, role: c.role as Role, tenant: c.tenant, hash: c.hash, issuedAt: c.at.toISOString(), expiresAt },
    },
  ];
}

function decideRevoke(c: RevokeToken, state: TokenState): TokenRevoked[] {
  const reason = c.reason.trim();
  if (!reason) throw invalid('reason', 'is required: say why the token is revoked');
  if (reason.length > 500) throw invalid('reason', 'must be at most 500 characters');
  // Another tenant's token is answered as absent: its existence is not this caller's business.
  if (state.status === 'none' || !inScope(c.revokerTenant, state.tenant)) throw new TokenRejected('not_found', `no token with id ${c.tokenId}`);
  if (state.status === 'revoked') throw new TokenRejected('conflict', `token ${c.tokenId} ("${state.name}") is revoked already`);
  return [{ type: TOKEN_REVOKED, data: { tokenId: c.tokenId, reason } }];
}

/** The state of one token stream after an event. */
export function evolveToken(state: TokenState, event: TokenEvent): TokenState {
  switch (event.type) {
    case TOKEN_ISSUED:
      return { status: 'active', ...event.data, revokeReason: null };
    case TOKEN_REVOKED:
      return state.status === 'none' ? state : { ...state, status: 'revoked', revokeReason: event.data.reason };
    default:
      return state;
  }
}
