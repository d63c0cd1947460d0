import { spec } from '../../test/support/given';
import { eventsOrThrow } from '../shared/decider';
import { BOOTSTRAP_TOKEN_NAME, IssueToken, TokenCommand, tokenDecider } from './token.decider';
import type { TokenIssued } from './token-issued.event';
import { newTokenSecret, sha256Hex, tokenDigest } from './token-secret';
import { TokenEvent } from './token.events';
import { initialTokenState } from './token.state';

const at = new Date('2026-03-01T10:00:00.000Z');
const hash = tokenDigest(Buffer.from('k'.repeat(32)), newTokenSecret());
const issue = (over: Partial<IssueToken> = {}): IssueToken => ({
  kind: 'IssueToken',
  tokenId: 'tok-1',
  name: 'ci',
  role: 'operator',
  tenant: null,
  hash,
  expiresAt: null,
  at,
  issuerTenant: null,
  ...over,
});

const { given } = spec(tokenDecider);
const issued = (over: Partial<IssueToken> = {}) => eventsOrThrow(tokenDecider.decide(issue(over), initialTokenState))[0] as TokenIssued;
const revoked: TokenEvent = { type: 'TokenRevoked', data: { tokenId: 'tok-1', reason: 'left the team' } };

describe('token decider: issue', () => {
  it('issues a new token with its hash, role, tenant and normalised expiry', () => {
    given()
      .when(issue({ tenant: 'acme', expiresAt: '2027-01-01T01:00:00+01:00' }))
      .then([
        {
          type: 'TokenIssued',
          data: {
            tokenId: 'tok-1',
            name: 'ci',
            role: 'operator',
            tenant: 'acme',
            hash,
            hashScheme: 'hmac-sha256',
            issuedAt: at.toISOString(),
            expiresAt: '2027-01-01T00:00:00.000Z',
          },
        },
      ]);
  });

  it('trims the name', () => {
    expect(issued({ name: '  deploy bot ' }).data).toMatchObject({ name: 'deploy bot' });
  });

  it('refuses an unknown role, naming the field', () => {
    given()
      .when(issue({ role: 'root' }))
      .thenRejects('invalid', 'role');
  });
  it('refuses an empty name', () => {
    given()
      .when(issue({ name: '  ' }))
      .thenRejects('invalid', 'name');
  });
  it('refuses a name with control characters', () => {
    given()
      .when(issue({ name: 'a\nb' }))
      .thenRejects('invalid', 'name');
  });
  it.each([
    ['NUL', 'a\u0000b'],
    ['zero-width space', 'ad\u200bmin'],
    ['right-to-left override', 'a\u202eb'],
    ['line separator', 'a\u2028b'],
    ['paragraph separator', 'a\u2029b'],
    ['lone surrogate', 'a\ud800b'],
    ['Hangul filler', 'a\u3164'],
    ['no-break space', 'a\u00a0b'],
    ['variation selector', 'a\ufe0fb'],
    ['tag character', 'a\u{E0041}'],
    ['blank braille pattern', 'a\u2800'],
    ['unassigned code point', 'a\uffffb'],
  ])('refuses a name with an invisible character (%s)', (_, name) => {
    given().when(issue({ name })).thenRejects('invalid', 'name');
  });
  it('accepts visible names in any script', () => {
    expect(issued({ name: 'déploiement 日本 😀' }).data.name).toBe('déploiement 日本 😀');
  });
  it('reserves the bootstrap name for the bootstrap', () => {
    given()
      .when(issue({ name: BOOTSTRAP_TOKEN_NAME }))
      .thenRejects('invalid', 'name');
    expect(issued({ name: BOOTSTRAP_TOKEN_NAME, role: 'admin', bootstrap: true }).data).toMatchObject({ name: BOOTSTRAP_TOKEN_NAME });
  });
  it.each(['system', 'System', 'ｓｙｓｔｅｍ', 'anonymous', 'static-secret', 'cli:root', 'Bootstrap-Admin'])(
    'reserves %s for actors that are not tokens',
    (name) => {
      given()
        .when(issue({ name, bootstrap: false }))
        .thenRejects('invalid', 'name');
    },
  );
  it('lets even the bootstrap take no other reserved name', () => {
    given()
      .when(issue({ name: 'system', bootstrap: true }))
      .thenRejects('invalid', 'name');
  });
  it('refuses a tenant with spaces', () => {
    given()
      .when(issue({ tenant: 'a b' }))
      .thenRejects('invalid', 'tenant');
  });
  it('refuses an expiry in the past or now', () => {
    given()
      .when(issue({ expiresAt: new Date(at.getTime() - 1000).toISOString() }))
      .thenRejects('invalid', 'expiresAt');
    given()
      .when(issue({ expiresAt: at.toISOString() }))
      .thenRejects('invalid', 'expiresAt');
  });
  it('refuses an expiry that is not RFC 3339', () => {
    given()
      .when(issue({ expiresAt: 'next tuesday' }))
      .thenRejects('invalid', 'expiresAt');
  });
  it('refuses a malformed hash', () => {
    given()
      .when(issue({ hash: 'abc' }))
      .thenRejects('invalid', 'hash');
  });
  it('refuses a token id that cannot be a stream name', () => {
    given()
      .when(issue({ tokenId: 'a/b' }))
      .thenRejects('invalid', 'tokenId');
  });
  it('refuses to issue the same token id twice', () => expect(given(issued()).when(issue()).thenRejects('conflict').field).toBeUndefined());
  it('lets a tenant-scoped issuer issue only for its own tenant', () => {
    given()
      .when(issue({ issuerTenant: 'acme', tenant: 'other' }))
      .thenRejects('forbidden', 'tenant');
    given()
      .when(issue({ issuerTenant: 'acme', tenant: null }))
      .thenRejects('forbidden', 'tenant');
    expect(issued({ issuerTenant: 'acme', tenant: 'acme' }).data.tenant).toBe('acme');
  });
});

describe('token decider: revoke', () => {
  const revoke = (reason = 'left the team', revokerTenant: string | null = null): TokenCommand => ({
    kind: 'RevokeToken',
    tokenId: 'tok-1',
    reason,
    revokerTenant,
  });

  it('revokes an active token with the reason', () => {
    given(issued()).when(revoke(' left the team ')).then([revoked]);
  });
  it('needs a reason', () => {
    given(issued()).when(revoke('   ')).thenRejects('invalid', 'reason');
  });
  it('refuses an unknown token', () => expect(given().when(revoke()).thenRejects('not_found').field).toBeUndefined());
  it('refuses a token revoked already', () => expect(given(issued(), revoked).when(revoke()).thenRejects('conflict').field).toBeUndefined());
  it("answers another tenant's token as not found to a tenant-scoped revoker", () => {
    expect(
      given(issued({ tenant: 'other' }))
        .when(revoke('x', 'acme'))
        .thenRejects('not_found').field,
    ).toBeUndefined();
    expect(given(issued()).when(revoke('x', 'acme')).thenRejects('not_found').field).toBeUndefined();
    given(issued({ tenant: 'acme' }))
      .when(revoke('x', 'acme'))
      .then([{ type: 'TokenRevoked', data: { tokenId: 'tok-1', reason: 'x' } }]);
  });
});

describe('token decider: re-key a legacy digest', () => {
  const legacy: TokenEvent = {
    type: 'TokenIssued',
    data: { tokenId: 'tok-1', name: 'ci', role: 'operator', tenant: null, hash: sha256Hex('olt_x'), issuedAt: at.toISOString(), expiresAt: null },
  };
  const rekey = (h = hash): TokenCommand => ({ kind: 'RekeyTokenHash', tokenId: 'tok-1', hash: h });

  it('replaces a bare SHA-256 by the keyed digest', () => {
    given(legacy)
      .when(rekey())
      .then([{ type: 'TokenHashRekeyed', data: { tokenId: 'tok-1', hash, hashScheme: 'hmac-sha256' } }]);
  });
  it('re-keys a revoked token too', () => {
    given(legacy, revoked)
      .when(rekey())
      .then([{ type: 'TokenHashRekeyed', data: { tokenId: 'tok-1', hash, hashScheme: 'hmac-sha256' } }]);
  });
  it('does nothing to a keyed token or an unknown one', () => {
    given(issued()).when(rekey()).then([]);
    given().when(rekey()).then([]);
  });
  it('folds into the keyed digest', () => {
    expect(given(legacy).when(rekey()).state()).toMatchObject({ hash, hashScheme: 'hmac-sha256' });
  });
});

describe('token evolve', () => {
  it('folds issued then revoked into a revoked token that keeps its identity', () => {
    expect(given(issued(), revoked).state).toMatchObject({
      status: 'revoked',
      tokenId: 'tok-1',
      name: 'ci',
      role: 'operator',
      hash,
      revokeReason: 'left the team',
    });
  });
  it('ignores a revoke of a token it never saw issued', () => {
    expect(given(revoked).state).toEqual(initialTokenState);
  });
  it('takes the time of a revoke from its envelope, as the tokens read model shows it', () => {
    const recorded = { ...revoked, metadata: { occurredAt: '2026-03-02T08:00:00.000Z' } };
    expect(tokenDecider.evolve(given(issued()).state, recorded)).toMatchObject({ status: 'revoked', revokedAt: '2026-03-02T08:00:00.000Z' });
  });
});
