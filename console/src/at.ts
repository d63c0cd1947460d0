import { useLocation, useSearch } from 'wouter';

/** The instant every page that supports ?at= shows; null = live. It lives in the URL. */
export function useAt(): [string | null, (at: string | null) => void] {
  const search = useSearch();
  const [path, navigate] = useLocation();
  const at = new URLSearchParams(search).get('at');
  const set = (next: string | null) => {
    const p = new URLSearchParams(search);
    if (next) p.set('at', next);
    else p.delete('at');
    const q = p.toString();
    navigate(q ? `${path}?${q}` : path, { replace: true });
  };
  return [at, set];
}

/** A link target that keeps the instant being viewed. */
export function withAt(href: string, at: string | null): string {
  if (!at) return href;
  return `${href}${href.includes('?') ? '&' : '?'}at=${encodeURIComponent(at)}`;
}
