import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RebuildProjectionDto {
  @ApiProperty({ description: 'Why the read model is rebuilt (audit log).', example: 'row shape changed after incident 42' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}
