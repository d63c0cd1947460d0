/**
 * The one question the poll scheduler, the job worker, the cron ticker and run-now ask before
 * they start something: is this subject held at this instant, and by what? Every reason not to
 * run (an operator's pause of one job, target or a whole tenant; a tenant's maintenance window) is a `HoldSource`; `holdFor` asks them all and answers one hold, or null.
 * Pure: no clock and no I/O here (docs/adr/0012-holds.md).
 */

/** A run of `job` for `tenant` (null: a run of no tenant); `job: null` means "any run of the tenant". */
export interface JobSubject {
  readonly tenant: string | null;
  readonly job: string | null;
}
/** One polling target (its key) of `tenant`. */
export interface TargetSubject {
  readonly tenant: string | null;
  readonly target: string;
}
export type HoldSubject = JobSubject | TargetSubject;

export const isTargetSubject = (s: HoldSubject): s is TargetSubject => 'target' in s;

/** What a hold covers: one job or target, or every job or target of a tenant (`tenant` for a source over both). */
export type HoldScope = 'job' | 'target' | 'tenant-jobs' | 'tenant-targets' | 'tenant';

export interface Hold {
  /** Which source holds it (`pause` or `maintenance`). */
  readonly source: string;
  readonly scope: HoldScope;
  /** The job name, target key or tenant the hold was placed on. */
  readonly subject: string;
  readonly tenant: string | null;
  readonly reason: string;
  readonly by: string;
  readonly since: string;
  /** When it ends by itself (null: until someone lifts it). */
  readonly until: string | null;
}

/** One reason not to run; answers every hold of its own that covers the subject at `at`. */
export interface HoldSource {
  readonly name: string;
  holds(subject: HoldSubject, at: Date): readonly Hold[];
  /** The tenants it may hold at `at` (so a worker's claim can leave out a held tenant's runs). */
  tenants?(at: Date): readonly string[];
}

const endMs = (h: Hold) => (h.until === null ? Infinity : Date.parse(h.until));
const WIDE_FIRST: readonly HoldScope[] = ['tenant', 'tenant-jobs', 'tenant-targets', 'job', 'target'];

/**
 * Every hold over `subject` at `at`, the one that decides first: the one that lasts longest (no
 * end before any end; the subject runs again only when the last hold is lifted, so that is the
 * `until` an operator needs), then the earlier source in `sources`, then the wider scope.
 */
export function holdsFor(sources: readonly HoldSource[], subject: HoldSubject, at: Date): Hold[] {
  const all = sources.flatMap((s, i) => s.holds(subject, at).map((h) => ({ h, i })));
  all.sort((a, b) => endMs(b.h) - endMs(a.h) || a.i - b.i || WIDE_FIRST.indexOf(a.h.scope) - WIDE_FIRST.indexOf(b.h.scope));
  return all.map((x) => x.h);
}

/** The hold that decides for `subject` at `at` (see holdsFor), or null when nothing holds it. */
export function holdFor(sources: readonly HoldSource[], subject: HoldSubject, at: Date): Hold | null {
  return holdsFor(sources, subject, at)[0] ?? null;
}

/**
 * What a job worker may not claim at `at`: the jobs held whatever their run's tenant, and the
 * tenants whose every run is held. `tenants` are the tenants the sources name (Holds.tenants()).
 */
export function claimFilter(sources: readonly HoldSource[], jobs: readonly string[], tenants: readonly string[], at: Date) {
  return {
    heldJobs: jobs.filter((job) => holdFor(sources, { tenant: null, job }, at) !== null),
    heldTenants: tenants.filter((tenant) => holdFor(sources, { tenant, job: null }, at) !== null),
  };
}
