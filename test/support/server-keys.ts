/**
 * The server keys every test process uses (TOKEN_HASH_KEY, AUDIT_CHAIN_KEY are required with
 * DATABASE_URL). Fixed values: a test that needs another key says so.
 */
export const TEST_TOKEN_HASH_KEY = 'test-token-hash-key-0123456789abcdef0123';
export const TEST_AUDIT_CHAIN_KEY = 'test-audit-chain-key-0123456789abcdef012';
export const TEST_SERVER_KEYS = { TOKEN_HASH_KEY: TEST_TOKEN_HASH_KEY, AUDIT_CHAIN_KEY: TEST_AUDIT_CHAIN_KEY } as const;
/** The same keys as AuditRecorder and TokenDigester take them. */
export const TEST_KEY_BYTES = {
  tokenHash: Buffer.from(TEST_TOKEN_HASH_KEY),
  auditChain: Buffer.from(TEST_AUDIT_CHAIN_KEY),
  auditChainPrevious: [] as Buffer[],
};
