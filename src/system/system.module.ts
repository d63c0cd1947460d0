import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { SystemController } from './system.controller';

/** Seed 004's system status endpoints over the job runtime. */
@Module({ imports: [JobsModule], controllers: [SystemController] })
export class SystemModule {}
