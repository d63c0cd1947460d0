import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import type { AlertRow } from '../../projections/alerts/alerts.projection';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { PG_POOL } from '../database/database.module';
import { ALERT_RULES } from './alert-rules';

@ApiTags('observability')
@ApiBearerAuth()
@Controller('api/alerts')
export class AlertsController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get()
  @Roles('viewer')
  @TenantScope('installation', "rules over every tenant's runs and targets (summaries name jobs); scoped tokens read their own health instead")
  @ApiOperation({
    summary: 'The baseline alerts and the freshness-objective burn-rate pair, with their state (history: /api/timeline?types=AlertFired,AlertResolved).',
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        alerts: [
          {
            rule: 'dead_letter_nonzero',
            description: 'Dead-letter count is non-zero',
            severity: 'warning',
            state: 'firing',
            summary: '2 job run(s) dead-lettered',
            value: 2,
            firedAt: '2026-11-25T13:00:15.000Z',
            resolvedAt: null,
            timesFired: 1,
          },
          {
            rule: 'health_degraded',
            description: 'App health degraded for more than 2 minutes',
            severity: 'warning',
            state: 'ok',
            summary: null,
            value: null,
            firedAt: null,
            resolvedAt: null,
            timesFired: 0,
          },
        ],
      },
    },
  })
  async list() {
    const { rows } = await this.pool.query<{ doc: AlertRow }>('SELECT doc FROM rm_alerts');
    const byRule = new Map(rows.map((r) => [r.doc.rule, r.doc]));
    return {
      alerts: ALERT_RULES.map((rule) => {
        const r = byRule.get(rule.name);
        return {
          rule: rule.name,
          description: rule.description,
          severity: rule.severity,
          state: r?.state === 'firing' ? 'firing' : 'ok',
          summary: r?.summary ?? null,
          value: r?.value ?? null,
          firedAt: r?.firedAt ?? null,
          resolvedAt: r?.resolvedAt ?? null,
          timesFired: r?.timesFired ?? 0,
        };
      }),
    };
  }
}
