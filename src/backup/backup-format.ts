/** A backup is gzipped NDJSON: one header line, then every event in commit order. */
export const BACKUP_FORMAT = 'opsledger-event-log';
export const BACKUP_VERSION = 1;

export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  readonly createdAt: string;
  readonly appVersion: string;
}

export interface BackupEvent {
  readonly position: string;
  readonly streamId: string;
  readonly revision: string;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly recordedAt: string;
}

export interface BackupTrailer {
  readonly end: true;
  readonly events: number;
}
