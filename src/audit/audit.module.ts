import { Global, Module } from '@nestjs/common';
import { auditLogProjection } from '../../projections/audit-log/audit-log.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { AuditController } from './audit.controller';
import { AuditChainSeal } from './audit-chain-seal';
import { AuditHeadPublisher } from './audit-head-publisher';
import { AuditRecorder } from './audit-recorder';
import { ListAuditHandler } from './list-audit.query';

@Global()
@Module({ controllers: [AuditController], providers: [AuditRecorder, ListAuditHandler, AuditChainSeal, AuditHeadPublisher], exports: [AuditRecorder] })
export class AuditModule {
  constructor(registry: ProjectionRegistry) {
    registry.register(auditLogProjection);
  }
}
