import { SetMetadata } from '@nestjs/common';
import type { AppConfig } from '../config/config';

export const STATIC_SECRET = 'opsledger:static-secret';
export type StaticSecret = (config: AppConfig) => string | undefined;

/**
 * The route also accepts, as its bearer token, a secret from the configuration (e.g. METRICS_TOKEN
 * for Prometheus), compared in constant time; the caller then acts as a viewer.
 */
export const AcceptsStaticSecret = (secret: StaticSecret) => SetMetadata(STATIC_SECRET, secret);
