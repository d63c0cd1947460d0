import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AtQuery } from '../point-in-time/at.dto';
import { SEVERITIES, Severity } from './attention-item';
import { ATTENTION_KINDS } from './sources';

export const ATTENTION_DEFAULT_LIMIT = 100;

/** GET /api/attention?at=&kind=&severity=&tenant=&limit= */
export class AttentionQuery extends AtQuery {
  @ApiPropertyOptional({ enum: ATTENTION_KINDS, description: 'Only items of this kind (`counts` still counts every kind).' })
  @IsOptional()
  @IsIn(ATTENTION_KINDS, { message: `must be one of: ${ATTENTION_KINDS.join(', ')}` })
  kind?: string;

  @ApiPropertyOptional({ enum: SEVERITIES, description: 'Only items of this severity.' })
  @IsOptional()
  @IsIn(SEVERITIES, { message: `must be one of: ${SEVERITIES.join(', ')}` })
  severity?: Severity;

  @ApiPropertyOptional({
    example: 'acme',
    description:
      'Unscoped tokens only: the list a token scoped to this tenant gets (its items and the installation-wide loop items). A scoped token naming another tenant → 400.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'must be a tenant id (letters, digits, . _ -)' })
  tenant?: string;

  @ApiPropertyOptional({
    example: 50,
    minimum: 1,
    maximum: 1000,
    description: `At most this many items (default ${ATTENTION_DEFAULT_LIMIT}); \`total\` says how many matched.`,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
