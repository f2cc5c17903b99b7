// Turns the WebSocket client's connection-state stream into the three words the UI shows.
// "reconnecting" is "connecting" after a socket was lost: the client sets an error then.
import type { TRPCWebSocketClient } from '@trpc/client';
import { useSyncExternalStore } from 'react';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

type ConnectionState = ReturnType<TRPCWebSocketClient['connectionState']['get']>;

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

export function useConnectionStatus(ws: TRPCWebSocketClient): ConnectionStatus {
  const state = useSyncExternalStore(
    (onChange) => {
      const sub = ws.connectionState.subscribe({ next: onChange });
      return () => sub.unsubscribe();
    },
    () => ws.connectionState.get(),
  );
  return toConnectionStatus(state);
}
