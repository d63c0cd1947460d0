import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** `reason` may come in the body or the query (some clients cannot send a DELETE body); one is required. */
export class RevokeTokenDto {
  @ApiPropertyOptional({ description: 'Why the token is revoked (audit log). Required here or as ?reason=.', example: 'laptop lost' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}
