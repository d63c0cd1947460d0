import { Command } from '@nestjs/cqrs';
import type { OperatorContext } from '../audit/operator-context';

export interface IssueTokenInput {
  readonly name: string;
  readonly role: string;
  readonly tenant?: string | null;
  readonly expiresAt?: string | null;
}

/** What the caller gets back: the only time the secret is ever shown (null for the bootstrap). */
export interface IssuedToken {
  readonly tokenId: string;
  readonly name: string;
  readonly role: string;
  readonly tenant: string | null;
  readonly issuedAt: string;
  readonly expiresAt: string | null;
  readonly token: string | null;
}

export class IssueTokenCommand extends Command<IssuedToken> {
  constructor(
    readonly operator: OperatorContext,
    readonly input: IssueTokenInput,
    readonly reason: string,
    /** Only the OPSLEDGER_ADMIN_TOKEN bootstrap: a secret chosen outside, known only by its digest. */
    readonly bootstrap?: { readonly tokenId: string; readonly hash: string },
  ) {
    super();
  }
}
