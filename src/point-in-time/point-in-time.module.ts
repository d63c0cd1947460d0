import { Global, Module } from '@nestjs/common';
import { PointInTime } from './point-in-time.service';

@Global()
@Module({ providers: [PointInTime], exports: [PointInTime] })
export class PointInTimeModule {}
