// A socket signed in with a token that expires is closed when it does (code 4001); the client
// reconnects by itself and sends its connectionParams again, fresh ones.
import type { WebSocket } from 'ws';
import { CloseCode } from './limits.ts';

// setTimeout takes at most 2^31 - 1 ms (about 24.8 days); longer waits are taken in steps.
const MAX_TIMER_MS = 2_147_483_647;

export function closeWhenExpired(ws: WebSocket, expiresAt: number): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = expiresAt - Date.now();
    if (wait <= 0) {
      ws.close(CloseCode.tokenExpired, 'Token expired');
      return;
    }
    timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  ws.once('close', () => clearTimeout(timer));
}
