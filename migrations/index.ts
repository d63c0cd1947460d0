import { EventStore1764000000001 } from './0001-event-store';
import { ProjectionRebuilds1764000000002 } from './0002-projection-rebuilds';
import { Tokens1764000000003 } from './0003-tokens';
import { LoopStates1764000000004 } from './0004-loop-states';
import { TargetsReadModel1764000000005 } from './0005-targets-read-model';
import { Jobs1764000000006 } from './0006-jobs';
import { Audit1764000000007 } from './0007-audit';
import { RateLimits1764000000008 } from './0008-rate-limits';
import { Alerts1764000000009 } from './0009-alerts';
import { ProjectionSnapshots1764000000010 } from './0010-projection-snapshots';
import { JobWorkerHistory1764000000011 } from './0011-job-worker-history';
import { ServerKeyFingerprints1764000000012 } from './0012-server-key-fingerprints';
import { LoopPauses1764000000013 } from './0013-loop-pauses';
import { Flags1764000000014 } from './0014-flags';
import { MigrationRuns1764000000015 } from './0015-migration-runs';
import { CachePurges1764000000016 } from './0016-cache-purges';
import { AppendGroups1764000000017 } from './0017-append-groups';
import { Webhooks1764000000018 } from './0018-webhooks';
import { ConsoleSessions1764000000019 } from './0019-console-sessions';
import { Maintenance1764000000020 } from './0020-maintenance';
import { Pauses1764000000021 } from './0021-pauses';
import { FailureSignatures1764000000022 } from './0022-failure-signatures';
import { SloFreshness1764000000023 } from './0023-slo-freshness';
import { ReplayWindowIndex1764000000025 } from './0025-replay-window-index';
import { PollPartitions1764000000026 } from './0026-poll-partitions';

/** Every migration, in order. Listed by hand so the same list works from ts (tests) and dist. */
export const migrations = [
  EventStore1764000000001,
  ProjectionRebuilds1764000000002,
  Tokens1764000000003,
  LoopStates1764000000004,
  TargetsReadModel1764000000005,
  Jobs1764000000006,
  Audit1764000000007,
  RateLimits1764000000008,
  Alerts1764000000009,
  ProjectionSnapshots1764000000010,
  JobWorkerHistory1764000000011,
  ServerKeyFingerprints1764000000012,
  LoopPauses1764000000013,
  Flags1764000000014,
  MigrationRuns1764000000015,
  CachePurges1764000000016,
  AppendGroups1764000000017,
  Webhooks1764000000018,
  ConsoleSessions1764000000019,
  Maintenance1764000000020,
  Pauses1764000000021,
  FailureSignatures1764000000022,
  SloFreshness1764000000023,
  ReplayWindowIndex1764000000025,
  PollPartitions1764000000026,
];
