import { createContext, useContext } from 'react';
import type { Role, Session } from './api/types';

const ORDER: Role[] = ['viewer', 'operator', 'admin'];
export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}

/** Whether the signed-in token's role reaches `need` (viewers see no action buttons). */
export function useCan(need: Role): boolean {
  const s = useSession();
  return ORDER.indexOf(s.role) >= ORDER.indexOf(need);
}
