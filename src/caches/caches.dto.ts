import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class StartPurgeDto {
  @ApiPropertyOptional({ example: 'session:8f2c', description: 'One key to remove (exactly one of key or pattern)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  key?: string;

  @ApiPropertyOptional({ example: 'user:42:*', description: 'Remove every key matching this Redis glob (SCAN MATCH); exactly one of key or pattern' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  pattern?: string;

  @ApiPropertyOptional({ example: false, description: 'Must be true for a pattern of only `*` (every key of the cache)' })
  @IsOptional()
  @IsBoolean()
  confirmAll?: boolean;

  @ApiProperty({ example: 'stale profile pages after the user merge' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class CancelPurgeDto {
  @ApiProperty({ example: 'wrong pattern' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}
