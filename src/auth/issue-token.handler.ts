import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AuditRecorder } from '../audit/audit-recorder';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, reject, RejectedError } from '../shared/decider';
import { IssuedToken, IssueTokenCommand } from './issue-token.command';
import { tokenDecider } from './token.decider';
import type { TokenIssued } from './token-issued.event';
import { TokenRepository } from './token-repository';
import { TokenDigester } from './token-digester';
import { newTokenSecret } from './token-secret';

/** Generates the secret, decides, then audits and appends (with the inline projection) in one unit of work. */
@CommandHandler(IssueTokenCommand)
export class IssueTokenHandler implements ICommandHandler<IssueTokenCommand, IssuedToken> {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly audit: AuditRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly digester: TokenDigester,
  ) {}

  async execute(cmd: IssueTokenCommand): Promise<IssuedToken> {
    const reason = cmd.reason.trim();
    const tokenId = cmd.bootstrap?.tokenId ?? randomUUID();
    return this.audit.act(
      cmd.operator,
      { action: 'token.issue', target: `token:${cmd.input.name}`, reason },
      {
        check: () => {
          if (!reason) throw new RejectedError(reject('invalid', 'is required: say why the token is issued', 'reason'));
          const secret = cmd.bootstrap ? null : newTokenSecret();
          const decision = tokenDecider.decide(
            {
              kind: 'IssueToken',
              tokenId,
              name: cmd.input.name,
              role: cmd.input.role,
              // A tenant-scoped issuer's tokens default to its tenant.
              tenant: cmd.input.tenant ?? cmd.operator.tenant ?? null,
              expiresAt: cmd.input.expiresAt ?? null,
              hash: cmd.bootstrap?.hash ?? this.digester.of(secret!),
              at: this.clock.now(),
              bootstrap: !!cmd.bootstrap,
              issuerTenant: cmd.operator.tenant,
            },
            tokenDecider.initialState,
          );
          const [issued] = eventsOrThrow(decision) as TokenIssued[];
          return { issued, secret };
        },
        // A fresh id per issue: 'no_stream' only fails for the bootstrap's derived id, raced by a peer,
        // and then the audit entry rolls back with it. The entry names the token, never secret or digest.
        apply: async (unit, { issued, secret }) => {
          const d = issued.data;
          await unit.record('applied', { tokenId, role: d.role, tenant: d.tenant, expiresAt: d.expiresAt });
          await this.tokens.appendIn(unit.uow, tokenId, [issued], 'no_stream', { ...unit.metadata, occurredAt: d.issuedAt });
          return { tokenId, name: d.name, role: d.role, tenant: d.tenant, issuedAt: d.issuedAt, expiresAt: d.expiresAt, token: secret };
        },
      },
    );
  }
}
