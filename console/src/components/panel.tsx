import type { UseQueryResult } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import type { ApiResult } from '../api/client';
import { clockTime, exact, relative } from '../format';

type AnyQuery = UseQueryResult<ApiResult<unknown>>;

/**
 * A box of data: its title, when its data was read (and, for ?at= answers, the instant it
 * describes), a Refresh button, and its error or loading state.
 */
export function Panel({
  title,
  queries = [],
  actions,
  children,
  note,
}: {
  title: string;
  queries?: AnyQuery[];
  actions?: ReactNode;
  children: ReactNode;
  note?: ReactNode;
}) {
  const read = queries.length ? Math.min(...queries.map((q) => q.dataUpdatedAt).filter((t) => t > 0)) : 0;
  const asOf = queries.map((q) => q.data?.asOf).find(Boolean);
  const error = queries.find((q) => q.error)?.error as Error | undefined;
  const loading = queries.some((q) => q.isPending && q.fetchStatus !== 'idle');
  const fetching = queries.some((q) => q.isFetching);
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    labelCells(el);
    const watch = new MutationObserver(() => labelCells(el));
    watch.observe(el, { childList: true, subtree: true });
    return () => watch.disconnect();
  }, []);
  return (
    <section className="panel" aria-labelledby={id} ref={box}>
      <header className="panel-head">
        <h2 id={id}>{title}</h2>
        <div className="panel-meta">
          {read > 0 && Number.isFinite(read) && (
            <span className="read-at" title={new Date(read).toISOString()}>
              read {clockTime(read)}
              {asOf ? ` · as of ${exact(asOf)}` : ''}
            </span>
          )}
          {actions}
          {queries.length > 0 && (
            <button
              type="button"
              className="secondary"
              onClick={() => queries.forEach((q) => void q.refetch())}
              aria-label={`Refresh ${title}`}
              disabled={fetching}
            >
              {fetching ? 'Reading…' : 'Refresh'}
            </button>
          )}
        </div>
      </header>
      {note && <p className="note">{note}</p>}
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {loading ? <p className="muted">Loading…</p> : children}
    </section>
  );
}

export function Time({ iso, now }: { iso: string | null | undefined; now?: number }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={exact(iso)}>
      {relative(iso, now)}
    </time>
  );
}

export function Badge({ kind, children }: { kind: 'ok' | 'warn' | 'bad' | 'info' | 'muted'; children: ReactNode }) {
  return <span className={`badge badge-${kind}`}>{children}</span>;
}

/** Each cell carries its column's name, so a phone-width layout can show rows as labelled cards. */
function labelCells(root: HTMLElement): void {
  for (const table of root.querySelectorAll('table')) {
    const names = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
    for (const row of table.querySelectorAll('tbody tr')) {
      [...row.children].forEach((cell, i) => {
        if (names[i] && cell.getAttribute('data-label') !== names[i] && !cell.hasAttribute('colspan')) cell.setAttribute('data-label', names[i]);
      });
    }
  }
}
