import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ROLES } from '../access/roles';

/** Shape checks only; the rules (future expiry, reserved names) live in token.decider.ts. */
export class IssueTokenDto {
  @ApiProperty({ description: 'Who or what holds the token; shows up as the actor in the audit log.', example: 'ci' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'operator' })
  @IsIn(ROLES as unknown as string[], { message: `role must be one of ${ROLES.join(', ')}` })
  role!: string;

  @ApiPropertyOptional({
    description: 'Limit the token to one tenant. A tenant-scoped admin can issue only for its own tenant (the default for it).',
    example: 'acme',
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string | null;

  @ApiPropertyOptional({ description: 'RFC 3339; the token stops working then. Omit for no expiry.', example: '2027-01-01T00:00:00Z', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an RFC 3339 timestamp, e.g. 2027-01-01T00:00:00Z' })
  expiresAt?: string | null;

  @ApiProperty({ description: 'Why the token is issued (audit log).', example: 'deploy pipeline' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}
