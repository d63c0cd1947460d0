import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `?at=`: answer as of that instant (checked against the recorded history by PointInTime.parseAt). */
export class AtQuery {
  @ApiPropertyOptional({
    example: '2025-03-01T10:00:00Z',
    description:
      'RFC 3339 instant between the first event and now: the body this endpoint would have returned then. Out of range or malformed → 400 naming the valid range.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  at?: string;
}

/** Response header carrying the instant a body describes, with milliseconds: pass it back as `?at=` to get the same body. */
export const AS_OF_HEADER = 'x-opsledger-as-of';
export const ApiAsOfHeader = {
  [AS_OF_HEADER]: {
    description: 'The instant this body describes (RFC 3339 with milliseconds); `?at=<it>` returns the same body.',
    schema: { type: 'string', example: '2025-03-01T10:00:00.123Z' },
  },
};
