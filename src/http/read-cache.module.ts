import { Module } from '@nestjs/common';
import { ReadCache } from './read-cache';
import { ReadPositions } from './read-positions';

/** The read caches of the health and system endpoints (one per process, ADR 0016); imported by the modules whose controllers use it. */
@Module({ providers: [ReadPositions, ReadCache], exports: [ReadCache] })
export class ReadCacheModule {}
