import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const FAILURE_SOURCES = ['runs', 'polls'] as const;

/** GET /api/failures/groups. Every field is checked here (the window by parseWindow) before any SQL. */
export class FailureGroupsDto {
  @ApiProperty({ enum: FAILURE_SOURCES, description: 'runs: failed job runs (createdAt in the window); polls: failed polls (probe start in the window).' })
  @IsIn(FAILURE_SOURCES as unknown as string[], { message: 'must be runs or polls' })
  source!: (typeof FAILURE_SOURCES)[number];

  @ApiPropertyOptional({ example: '2026-03-01T00:00:00Z', description: 'Window start (inclusive), RFC 3339. Default: 24 h before `to`.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-02T00:00:00Z', description: 'Window end (exclusive), RFC 3339. Default: now.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  to?: string;

  @ApiPropertyOptional({ example: 'acme', description: "Only this tenant's failures (a tenant-scoped token sees its own only, whatever it asks)." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string;

  @ApiPropertyOptional({ example: 'nightly-report', description: 'Only this job (source=runs).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  job?: string;

  @ApiPropertyOptional({ example: 'instance::eu-1', description: 'Only this target, type::name (source=polls).' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  target?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200, description: 'Most groups, most frequent first.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

/** POST /api/failures/groups/:signature/retry. */
export class RetryFailureGroupDto {
  @ApiProperty({ example: 'orders-db is back after the failover', description: 'Why: recorded in the audit entry and on every retry run.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;

  @ApiPropertyOptional({
    example: 3,
    description:
      "Required unless dryRun: the number of runs you expect to retry — the dry run's `count`. Anything else is refused (409) and nothing is retried: the selection changed since you looked.",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  confirm?: number;

  @ApiPropertyOptional({
    example: 100,
    minimum: 1,
    description: 'Most runs this action may retry (default FAILURES_RETRY_CAP_DEFAULT, at most FAILURES_RETRY_CAP_MAX); more are refused (409), not cut.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  cap?: number;

  @ApiPropertyOptional({ default: false, description: 'List what would be retried (and what not, and why); nothing is recorded.' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ example: 'nightly-report', description: 'Only runs of this job.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  job?: string;

  @ApiPropertyOptional({ example: 'acme', description: "Only this tenant's runs." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string;

  @ApiPropertyOptional({ example: '2026-03-01T00:00:00Z', description: 'Only runs created at or after this RFC 3339 instant.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-02T00:00:00Z', description: 'Only runs created before this RFC 3339 instant.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  to?: string;
}
