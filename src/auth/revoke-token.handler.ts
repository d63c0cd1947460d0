import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AuditRecorder } from '../audit/audit-recorder';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow } from '../shared/decider';
import { RevokedToken, RevokeTokenCommand } from './revoke-token.command';
import { tokenDecider } from './token.decider';
import type { TokenRevoked } from './token-revoked.event';
import { TokenLookup } from './token-lookup';
import { TokenRepository } from './token-repository';

const MAX_ATTEMPTS = 3;

/** Loads the token stream in the unit, decides, audits and appends at the loaded revision, all in one unit of work (retrying a race). */
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
    const revoked = await this.audit.act(
      cmd.operator,
      { action: 'token.revoke', target: `token:${cmd.tokenId}`, reason: cmd.reason },
      {
        apply: async (unit) => {
          const { state, revision } = await this.tokens.load(cmd.tokenId, unit.uow);
          const events = eventsOrThrow(
            tokenDecider.decide({ kind: 'RevokeToken', tokenId: cmd.tokenId, reason: cmd.reason, revokerTenant: cmd.operator.tenant }, state),
          ) as TokenRevoked[];
          const name = state.status === 'none' ? cmd.tokenId : state.name;
          const revokedAt = this.clock.now().toISOString();
          await unit.record('applied', { tokenId: cmd.tokenId }, `token:${name}`);
          await this.tokens.appendIn(unit.uow, cmd.tokenId, events, revision, { ...unit.metadata, occurredAt: revokedAt });
          return { tokenId: cmd.tokenId, name, revokedAt, reason: events[0].data.reason };
        },
      },
      { conflictRetries: MAX_ATTEMPTS - 1 },
    );
    this.lookup?.forget(cmd.tokenId);
    return revoked;
  }
}
