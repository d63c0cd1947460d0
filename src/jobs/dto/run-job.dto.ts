import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

export class RunJobDto {
  @ApiProperty({ example: 'validate after changing the SMTP settings', description: 'Why: recorded in the audit log.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;

  @ApiPropertyOptional({
    example: { tenant: 'acme', dryRun: true, from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z' },
    description: 'The parameters the job declares: tenant (string), dryRun (boolean), from/to (RFC 3339; timeRange), other keys when it declares custom.',
  })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: false,
    description:
      "Run even though the job (or its tenant's jobs) is paused: admin only, recorded in the audit entry (forced: true). Without it a paused job answers 409.",
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class CancelRunDto {
  @ApiProperty({ example: 'stuck on a dead upstream' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class RetryRunDto extends RunJobDto {}
