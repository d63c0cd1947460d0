import { Global, Module } from '@nestjs/common';
import { LoopStateService } from './loop-state.service';

/** The loops' heartbeat rows (loop_states): every loop writes its own, health reads them all. */
@Global()
@Module({ providers: [LoopStateService], exports: [LoopStateService] })
export class LoopStateModule {}
