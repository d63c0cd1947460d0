import { int, str } from './env-var';

/** The operator console: its sessions, its live stream and where its built files are. */
export const consoleEnv = {
  sessionIdleMs: int('SESSION_IDLE_TIMEOUT_MS', 1_800_000, 'A console session with no request for this long ends (SessionEnded, reason idle).', {
    min: 1000,
    max: 86_400_000,
  }),
  sessionAbsoluteMs: int(
    'SESSION_ABSOLUTE_TIMEOUT_MS',
    43_200_000,
    'A console session ends this long after sign-in, whatever its activity (reason absolute).',
    { min: 1000, max: 2_592_000_000 },
  ),
  sessionSweepMs: int(
    'SESSION_SWEEP_MS',
    60_000,
    'How often expired console sessions (idle, absolute, or whose token was revoked or expired) are ended and recorded.',
    { min: 100, max: 3_600_000 },
  ),
  streamHeartbeatMs: int('STREAM_HEARTBEAT_MS', 15_000, 'Keep-alive comment on GET /api/stream; each one also re-checks the session behind the stream.', {
    min: 100,
    max: 300_000,
  }),
  consoleDir: str('CONSOLE_DIR', undefined, 'Folder of the built console served at / (default: dist/console of the installation; built by npm run build).'),
} as const;
