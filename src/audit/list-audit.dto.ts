import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListAuditDto {
  @ApiPropertyOptional({ description: 'Token name that acted', example: 'alice' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ description: 'Action, e.g. job.run, target.redrive', example: 'job.run' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  action?: string;

  @ApiPropertyOptional({ description: 'What was acted on, e.g. job:nightly-report', example: 'job:nightly-report' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  target?: string;

  @ApiPropertyOptional({ description: 'applied (took effect) or duplicate (an idempotent replay)', enum: ['applied', 'duplicate'] })
  @IsOptional()
  @IsIn(['applied', 'duplicate'], { message: 'must be applied or duplicate' })
  outcome?: 'applied' | 'duplicate';

  @ApiPropertyOptional({ description: 'RFC 3339 lower bound (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp' })
  from?: string;

  @ApiPropertyOptional({ description: 'RFC 3339 upper bound (exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp' })
  to?: string;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
