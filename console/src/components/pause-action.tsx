import { call } from '../api/client';
import { Action } from './action';

/** A `datetime-local` value read as UTC (the console's forms all say "UTC"), or undefined when empty. */
export const utcFromInput = (v: string | undefined): string | undefined => (v ? new Date(`${v}:00Z`).toISOString() : undefined);

export const RESUME_AT_FIELD = (
  <label>
    Resume by itself at (UTC, optional) <input type="datetime-local" name="resumeAt" />
  </label>
);

/**
 * Pause (with a reason and an optional automatic resume) or resume one subject through its pause
 * routes (`POST <base>/pause`, `POST <base>/resume`): a target, a job, a tenant's jobs or targets.
 */
export function PauseAction({
  what,
  base,
  paused,
  effect,
  refetch,
  label,
}: {
  /** Named in the dialog's title: "instance::eu-1", "job nightly-report", "the targets of tenant acme". */
  what: string;
  base: string;
  paused: boolean;
  /** What pausing does, said in the dialog. */
  effect?: string;
  refetch: string[];
  /** Button text after Pause / Resume ("jobs", "targets"). */
  label?: string;
}) {
  const suffix = label ? ` ${label}` : '';
  if (paused)
    return (
      <Action
        label={`Resume${suffix}`}
        title={`Resume ${what}`}
        refetch={['pauses', ...refetch]}
        run={(reason) => call('POST', `${base}/resume`, { reason }).then(() => `Resumed`)}
      />
    );
  return (
    <Action
      label={`Pause${suffix}`}
      title={`Pause ${what}`}
      description={effect ? <p>{effect}</p> : undefined}
      fields={RESUME_AT_FIELD}
      refetch={['pauses', ...refetch]}
      run={(reason, form) => {
        const resumeAt = utcFromInput(form.resumeAt);
        return call('POST', `${base}/pause`, { reason, ...(resumeAt ? { resumeAt } : {}) }).then(() => 'Paused');
      }}
    />
  );
}
