// Turns the WebSocket client's connection-state stream into the three words the UI shows.
// "reconnecting" is "connecting" after a socket was lost: the client sets an error then.
import type { ConnectionState, QuerylaneClient } from '@querylane/client';
import { useSyncExternalStore } from 'react';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export function toConnectionStatus(state: ConnectionState): ConnectionStatus {
  switch (state.state) {
    case 'pending':
      return 'connected';
    case 'connecting':
      return state.error ? 'reconnecting' : 'connecting';
    case 'idle':
      return 'closed';
  }
}

export function useConnectionStatus(
  connectionState: QuerylaneClient['connectionState'],
): ConnectionStatus {
  const state = useSyncExternalStore(
    (onChange) => {
      const sub = connectionState.subscribe({ next: onChange });
      return () => sub.unsubscribe();
    },
    () => connectionState.get(),
  );
  return toConnectionStatus(state);
}
