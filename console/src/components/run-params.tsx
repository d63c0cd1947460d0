/** What a job declares it accepts (its definition's `params`): `custom` lets any other key through. */
export type RunParamName = 'tenant' | 'dryRun' | 'timeRange' | 'custom';

/** The run-now / retry parameters the job declares (tenant, dry run, time range, other keys as JSON); none: says so. */
export function RunParamFields({
  accepts,
  initial,
  tenantFixed,
}: {
  accepts: readonly RunParamName[];
  initial?: Record<string, unknown>;
  tenantFixed?: string | null;
}) {
  const { tenant, dryRun, from, to, ...rest } = initial ?? {};
  const local = (v: unknown) => (typeof v === 'string' ? v.slice(0, 16) : '');
  if (!accepts.length) return <p className="muted">This job declares no run parameters.</p>;
  return (
    <fieldset className="params">
      <legend>Parameters</legend>
      {accepts.includes('tenant') && (
        <label>
          Tenant <input name="p.tenant" defaultValue={typeof tenant === 'string' ? tenant : (tenantFixed ?? '')} placeholder="optional" />
        </label>
      )}
      {accepts.includes('dryRun') && (
        <label className="inline">
          <input type="checkbox" name="p.dryRun" defaultChecked={dryRun === true} /> Dry run
        </label>
      )}
      {accepts.includes('timeRange') && (
        <>
          <label>
            From (UTC) <input type="datetime-local" name="p.from" defaultValue={local(from)} />
          </label>
          <label>
            To (UTC) <input type="datetime-local" name="p.to" defaultValue={local(to)} />
          </label>
        </>
      )}
      {accepts.includes('custom') && (
        <label>
          Other parameters (JSON object)
          <textarea name="p.extra" rows={2} defaultValue={Object.keys(rest).length ? JSON.stringify(rest) : ''} placeholder='{"batch": 500}' />
        </label>
      )}
    </fieldset>
  );
}

/** The form's p.* fields as the API's params object; throws naming a field that is not valid. */
export function paramsFrom(form: Record<string, string>): Record<string, unknown> {
  let extra: Record<string, unknown> = {};
  if (form['p.extra']?.trim()) {
    try {
      extra = JSON.parse(form['p.extra']);
    } catch {
      throw new Error('Other parameters: must be a JSON object, e.g. {"batch": 500}');
    }
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new Error('Other parameters: must be a JSON object');
  }
  const utc = (v: string | undefined) => (v ? new Date(`${v}:00Z`).toISOString() : undefined);
  const out: Record<string, unknown> = { ...extra };
  if (form['p.tenant']?.trim()) out.tenant = form['p.tenant'].trim();
  if (form['p.dryRun'] === 'on') out.dryRun = true;
  if (utc(form['p.from'])) out.from = utc(form['p.from']);
  if (utc(form['p.to'])) out.to = utc(form['p.to']);
  return out;
}
