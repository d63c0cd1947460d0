import { Command } from '@nestjs/cqrs';
import type { OperatorContext } from '../audit/operator-context';

export interface RevokedToken {
  readonly tokenId: string;
  readonly name: string;
  readonly revokedAt: string;
  readonly reason: string;
}

export class RevokeTokenCommand extends Command<RevokedToken> {
  constructor(
    readonly operator: OperatorContext,
    readonly tokenId: string,
    readonly reason: string,
  ) {
    super();
  }
}
