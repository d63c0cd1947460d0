import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';

export interface ActionProps {
  /** The button's text. */
  label: string;
  /** The dialog's heading, naming what is acted on. */
  title: string;
  description?: ReactNode;
  /** Extra form fields (named inputs); their values reach `run` as strings / "on". */
  fields?: ReactNode;
  /** Defaults to true: every operator action says why. */
  reasonRequired?: boolean;
  reasonLabel?: string;
  confirmLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  /** Shown beside a disabled button (and as its description). */
  disabledReason?: string;
  /** Query keys (first parts) to refetch after it worked. */
  refetch?: string[];
  run: (reason: string, form: Record<string, string>) => Promise<string | void>;
}

/**
 * A button that opens a modal dialog (the native <dialog>: focus moves into it, Escape closes
 * it, the page behind is inert) asking for a reason before it calls the API.
 */
export function Action({
  label,
  title,
  description,
  fields,
  reasonRequired = true,
  reasonLabel = 'Reason (recorded in the audit log)',
  confirmLabel,
  danger,
  disabled,
  disabledReason,
  refetch = [],
  run,
}: ActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const client = useQueryClient();
  const id = useId();

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // The reason is what every action asks for: start there (fields before it are a Shift+Tab away).
      d.querySelector('textarea')?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = Object.fromEntries([...new FormData(e.currentTarget).entries()].map(([k, v]) => [k, String(v)]));
    const reason = (data.reason ?? '').trim();
    if (reasonRequired && !reason) {
      setError('A reason is required: say why, it is recorded with the action.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const message = await run(reason, data);
      setDone(message || `${label}: done`);
      setOpen(false);
      for (const k of refetch) void client.invalidateQueries({ predicate: (q) => q.queryKey[0] === k && !q.meta?.past });
    } catch (err) {
      const fields = err instanceof ApiError ? err.body?.fields : undefined;
      setError(fields?.length ? fields.map((f) => `${f.field}: ${f.problem}`).join('; ') : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="action">
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        disabled={disabled}
        aria-describedby={disabled && disabledReason ? `${id}-why` : undefined}
        onClick={() => {
          setError(null);
          setDone(null);
          setOpen(true);
        }}
      >
        {label}
      </button>
      {disabled && disabledReason && (
        <span id={`${id}-why`} className="muted small">
          {disabledReason}
        </span>
      )}
      {done && (
        <span role="status" className="done small">
          {done}
        </span>
      )}
      <dialog ref={dialog} aria-labelledby={`${id}-title`} onClose={() => setOpen(false)}>
        {open && (
          <form onSubmit={submit} noValidate>
            <h3 id={`${id}-title`}>{title}</h3>
            {description && <div className="dialog-text">{description}</div>}
            {fields}
            <label htmlFor={`${id}-reason`}>
              {reasonLabel}
              {reasonRequired ? '' : ' (optional)'}
            </label>
            <textarea
              id={`${id}-reason`}
              name="reason"
              rows={3}
              maxLength={500}
              required={reasonRequired}
              aria-invalid={!!error}
              aria-describedby={error ? `${id}-error` : undefined}
            />
            {error && (
              <p id={`${id}-error`} className="error" role="alert">
                {error}
              </p>
            )}
            <div className="dialog-buttons">
              <button type="button" className="secondary" onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button type="submit" className={danger ? 'danger' : undefined} disabled={busy}>
                {busy ? 'Working…' : (confirmLabel ?? label)}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </span>
  );
}
