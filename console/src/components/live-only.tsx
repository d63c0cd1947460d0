import { Link } from 'wouter';
import { useAt } from '../at';

/** Said on pages whose API has no ?at=: they show the present even while the console views the past. */
export function LiveOnlyNote({ what }: { what: string }) {
  const [at] = useAt();
  if (!at) return null;
  return (
    <p className="note past-note">
      {what} has no <code>?at=</code> in the API: this shows live data, not {at}. <Link href="/timeline">The timeline</Link> shows what happened then.
    </p>
  );
}
