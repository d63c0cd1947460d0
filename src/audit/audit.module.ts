import { Global, Module } from '@nestjs/common';
import { AuditRecorder } from './audit-recorder';

@Global()
@Module({ providers: [AuditRecorder], exports: [AuditRecorder] })
export class AuditModule {}
