import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Capability, Session } from './types';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('the console pages render only when signed in');
  return session;
}

/** Whether the signed-in key may see or do `capability` (the server decides the list: src/api/console/console-access.ts). */
export function useCan(): (capability: Capability) => boolean {
  const session = useSession();
  return (capability) => session.capabilities.includes(capability);
}
