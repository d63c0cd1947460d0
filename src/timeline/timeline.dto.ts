import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class TimelineQueryDto {
  @ApiPropertyOptional({ example: '2026-11-25T13:00:00Z', description: 'Window start (inclusive), RFC 3339. Default: one hour before `to`.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp, e.g. 2026-11-25T13:00:00Z' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-25T14:00:00Z', description: 'Window end (exclusive), RFC 3339. Default: now.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp, e.g. 2026-11-25T14:00:00Z' })
  to?: string;

  @ApiPropertyOptional({ example: 'instance::eu-1', description: 'Only this target (type::name)' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  target?: string;

  @ApiPropertyOptional({ example: 'nightly-report', description: 'Only this job and its runs' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  job?: string;

  @ApiPropertyOptional({ example: 'acme' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string;

  @ApiPropertyOptional({ example: 'PollFailed,BreakerOpened', description: 'Comma-separated event types' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9]+(,[A-Za-z0-9]+)*$/, { message: 'must be comma-separated event types, e.g. PollFailed,BreakerOpened' })
  types?: string;

  @ApiPropertyOptional({ enum: ['json', 'ndjson'], default: 'json', description: 'ndjson streams the whole window, one event a line' })
  @IsOptional()
  @IsIn(['json', 'ndjson'])
  format?: 'json' | 'ndjson';

  @ApiPropertyOptional({ default: 500, maximum: 5000, description: 'Page size (json)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (json)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
