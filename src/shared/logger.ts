import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export const LOGGER = Symbol('LOGGER');

/** Paths that may carry secrets; pino replaces them before anything is written. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers["x-ops-token"]',
  'req.headers.cookie',
  'headers.cookie',
  'headers.authorization',
  'headers["x-ops-token"]',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  // Token digests (docs/adr/0007): no log line carries one; this keeps a future one from doing so.
  'hash',
  '*.hash',
  'digest',
  '*.digest',
];

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'opsledger' }, redact: { paths: REDACT, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** Routes Nest's own messages into the same JSON log. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}
  log(message: unknown, context?: string) {
    this.pino.info({ event: 'nest', context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.pino.error({ event: 'nest.error', context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.pino.warn({ event: 'nest', context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.pino.debug({ event: 'nest', context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.pino.trace({ event: 'nest', context }, String(message));
  }
}
