import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { LoopStateService } from './loop-state.service';

@Global()
@Module({ controllers: [HealthController], providers: [LoopStateService], exports: [LoopStateService] })
export class HealthModule {}
