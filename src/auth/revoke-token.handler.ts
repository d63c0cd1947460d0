import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AuditRecorder } from '../audit/audit-recorder';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { Clock, CLOCK } from '../shared/clock';
import { RevokedToken, RevokeTokenCommand } from './revoke-token.command';
import { decideToken } from './token.decider';
import { TokenLookup } from './token-lookup';
import { TokenRepository } from './token-repository';

const MAX_ATTEMPTS = 3;

/** Loads the token stream, decides, audits and appends at the loaded revision in one transaction (retrying a race). */
@CommandHandler(RevokeTokenCommand)
export class RevokeTokenHandler implements ICommandHandler<RevokeTokenCommand, RevokedToken> {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly audit: AuditRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
    // Absent in the CLI, which has no cache to drop.
    @Optional() private readonly lookup?: TokenLookup,
  ) {}

  async execute(cmd: RevokeTokenCommand): Promise<RevokedToken> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.tokens.load(cmd.tokenId);
      const events = decideToken({ kind: 'RevokeToken', tokenId: cmd.tokenId, reason: cmd.reason, revokerTenant: cmd.operator.tenant }, state);
      const name = state.status === 'none' ? cmd.tokenId : state.name;
      const revokedAt = this.clock.now().toISOString();
      try {
        await this.tokens.append(cmd.tokenId, events, revision, async (db) => ({
          ...(await this.audit.recordWith(db, cmd.operator, 'token.revoke', `token:${name}`, events[0].data.reason, { tokenId: cmd.tokenId })),
          occurredAt: revokedAt,
        }));
      } catch (err) {
        if (err instanceof ExpectedVersionConflict && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
      this.lookup?.forget(cmd.tokenId);
      return { tokenId: cmd.tokenId, name, revokedAt, reason: events[0].data.reason };
    }
  }
}
