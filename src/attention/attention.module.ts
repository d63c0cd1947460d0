import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { AttentionController } from './attention.controller';
import { AttentionReader } from './attention.reader';

/** GET /api/attention: one list of what needs an operator, from the attention sources over the read models. */
@Module({
  imports: [HealthModule], // HealthViews (JobsViews and PointInTime are global)
  controllers: [AttentionController],
  providers: [AttentionReader],
})
export class AttentionModule {}
