/**
 * The gap-safe read horizon of the log, as one SQL expression (an InitPlan, evaluated once per
 * statement): a commit below it can no longer be preceded by one still to come.
 *
 * Only a transaction of this database can append to `events`. Every event a statement cannot see
 * belongs to a transaction in its snapshot's in-progress list or at or above its xmax, so the
 * horizon is the oldest in-progress transaction that is not known to belong to another database,
 * else xmax. `pg_snapshot_xmin` alone would be the oldest transaction open anywhere in the
 * cluster: a long report or migration in another database would hold every reader of this log
 * (projections, subscriptions, the stream) behind it. A transaction that ended since the snapshot
 * is no longer listed by pg_stat_activity and so counts, whichever database it ran in: the horizon
 * never passes one of ours. ADR 0020.
 */
export const READ_HORIZON = `(
  SELECT coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) x
   WHERE x::xid NOT IN (
     SELECT a.backend_xid FROM pg_stat_get_activity(NULL) a
      WHERE a.backend_xid IS NOT NULL AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())))`;
