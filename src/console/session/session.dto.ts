import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class StartSessionDto {
  @ApiProperty({
    description: 'A bearer token (any role): the session acts as it, with its role and tenant.',
    example: 'olt_tuY9ja9BwnT1TS6iHUZ665v3LZgCVwtLjUDeszM4c3s',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;
}

/** `reason` may come in the body or the query (some clients cannot send a DELETE body). */
export class RevokeSessionDto {
  @ApiPropertyOptional({ description: 'Why the session is ended (audit log). Required here or as ?reason=.', example: 'operator left the company' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

export class ListSessionsDto {
  @ApiPropertyOptional({ description: 'true: ended sessions too (newest first, at most 500).', example: 'true' })
  @IsOptional()
  @IsString()
  all?: string;
}
