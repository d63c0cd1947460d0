/**
 * A token command the rules refuse. Plain (no Nest) so the decider stays pure and the CLI can
 * print it; the HTTP layer maps `kind` to 400 / 403 / 404 / 409.
 */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
  constructor(
    readonly kind: 'invalid' | 'forbidden' | 'not_found' | 'conflict',
    message: string,
    /** The input field at fault, for `invalid`. */
    readonly field?: string,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}
