/** Nest tokens of the job runtime's plain parts (built in jobs.module.ts). */
export const JOB_CATALOG = Symbol('JOB_CATALOG');
export const JOBS_RUNTIME = Symbol('JOBS_RUNTIME');
