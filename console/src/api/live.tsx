import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { get, type ApiResult } from './client';
import { topicsOf } from './topics';

/** Panels poll every 30 s while the stream is down (the System Status page's cadence). */
export const POLL_FALLBACK_MS = 30_000;
const COALESCE_MS = 400;

type StreamStatus = 'connecting' | 'live' | 'down';
const LiveContext = createContext<{ status: StreamStatus; last: string | null }>({ status: 'connecting', last: null });

export const useLiveStatus = () => useContext(LiveContext);

/**
 * GET /api/stream while signed in: each change message marks the panels it touches stale, a few at
 * a time (a burst of poll outcomes is one refetch). The browser resumes with Last-Event-ID by
 * itself; when the stream cannot be had, panels fall back to polling.
 */
export function LiveProvider({ children, onSessionEnded }: { children: ReactNode; onSessionEnded: () => void }) {
  const client = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [last, setLast] = useState<string | null>(null);
  const pending = useRef(new Set<string>());
  const timer = useRef<number | null>(null);
  const ended = useRef(onSessionEnded);
  ended.current = onSessionEnded;

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: number | null = null;
    const flush = () => {
      timer.current = null;
      const topics = pending.current;
      pending.current = new Set();
      void client.invalidateQueries({ predicate: (q) => topics.has(String(q.queryKey[0])) && !q.meta?.past });
    };
    const open = () => {
      setStatus('connecting');
      source = new EventSource('/api/stream');
      source.addEventListener('ready', () => setStatus('live'));
      source.addEventListener('change', (ev) => {
        const msg = JSON.parse((ev as MessageEvent).data) as { type: string; summary: string; at: string };
        setLast(msg.at);
        for (const t of topicsOf(msg.type)) pending.current.add(t);
        timer.current ??= window.setTimeout(flush, COALESCE_MS);
      });
      source.addEventListener('session-ended', () => {
        source?.close();
        ended.current();
      });
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED) {
          setStatus('down');
          // The browser gave up (an HTTP error): try again at the polling cadence.
          retry = window.setTimeout(open, POLL_FALLBACK_MS);
        } else setStatus('down');
      };
      source.onopen = () => setStatus('live');
    };
    open();
    return () => {
      source?.close();
      if (retry) window.clearTimeout(retry);
      if (timer.current) window.clearTimeout(timer.current);
    };
  }, [client]);

  return <LiveContext.Provider value={{ status, last }}>{children}</LiveContext.Provider>;
}

/**
 * A panel's data: fetched once, refetched when the stream says it changed or on Refresh, polled
 * every 30 s while the stream is down. A past answer (?at=) never changes: it is never refetched.
 */
export function useLiveQuery<T>(key: QueryKey, path: string | null, opts: { past?: boolean; pollMs?: number } = {}) {
  const { status } = useLiveStatus();
  return useQuery<ApiResult<T>>({
    queryKey: key,
    queryFn: () => get<T>(path!),
    enabled: path !== null,
    meta: { past: !!opts.past },
    staleTime: opts.past ? Infinity : 0,
    refetchInterval: opts.past ? false : (opts.pollMs ?? (status === 'live' ? false : POLL_FALLBACK_MS)),
    retry: 1,
  });
}
