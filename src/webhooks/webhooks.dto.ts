import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { PUBLIC_EVENT_TYPES } from './public-event-types';

export class CreateSubscriptionDto {
  @ApiProperty({
    example: 'https://hooks.example.com/opsledger',
    description: 'Absolute http(s) URL; the egress policy judges its destination at each delivery.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  url!: string;

  @ApiProperty({ example: ['RunFailed', 'AlertFired'], description: `Event types to receive, among: ${PUBLIC_EVENT_TYPES.join(', ')}` })
  @IsArray()
  @ArrayMinSize(1, { message: 'must name at least one event type' })
  @ArrayMaxSize(100)
  @IsString({ each: true })
  eventTypes!: string[];

  @ApiPropertyOptional({
    example: 'acme',
    description: 'Only events of this tenant. A tenant-scoped token subscribes for its own tenant (the default for it); unscoped and without it: every tenant.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'must be a tenant id (letters, digits, . _ -)' })
  tenant?: string;

  @ApiPropertyOptional({ example: 2, description: 'Deliveries in flight at once for this subscription (default WEBHOOK_MAX_CONCURRENCY).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxConcurrency?: number;

  @ApiPropertyOptional({ example: 'on-call bridge' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiProperty({ example: 'page the on-call bridge on failed runs' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class RemoveSubscriptionDto {
  @ApiProperty({ example: 'receiver retired' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class InboxActionDto {
  @ApiProperty({ example: ['5f0c1a2e-8d4b-8c1e-9a3f-0b1c2d3e4f50'], description: 'The failed deliveries to act on (1 to 100); all or none are acted on.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'must name at least one delivery' })
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true, message: 'each must be a delivery id (UUID)' })
  deliveryIds!: string[];

  @ApiProperty({ example: 'receiver fixed after the outage' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export const INBOX_STATUSES = ['failed', 'replayed', 'suppressed', 'handled', 'all'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

export class ListFailuresDto {
  @ApiPropertyOptional({
    enum: INBOX_STATUSES,
    default: 'failed',
    description: 'failed: waiting for somebody (the default); the others: what was done with it; all: every one.',
  })
  @IsOptional()
  @IsIn(INBOX_STATUSES, { message: `must be one of ${INBOX_STATUSES.join(', ')}` })
  status?: InboxStatus;

  @ApiPropertyOptional({ example: 'acme', description: "Only this tenant's (a tenant-scoped token always sees its own only)." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string;

  @ApiPropertyOptional({ description: 'Only this subscription' })
  @IsOptional()
  @IsUUID('all', { message: 'must be a subscription id (UUID)' })
  subscriptionId?: string;

  @ApiPropertyOptional({ example: 'RunFailed' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  eventType?: string;

  @ApiPropertyOptional({ example: 3600, description: 'Only failures at least this many seconds old' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10 * 365 * 86_400)
  olderThanSeconds?: number;

  @ApiPropertyOptional({ example: 86400, description: 'Only failures at most this many seconds old' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10 * 365 * 86_400)
  newerThanSeconds?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
