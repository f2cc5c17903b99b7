// Tells a room what just happened in it. The change itself is already stored; losing its event
// (the store failed in between) costs live members a refresh, never the change, so it is logged.
import type { RoomEventInput } from '@querylane/contracts';
import type { RoomLog } from './ports.ts';

export async function announce(
  log: RoomLog,
  conversationId: string,
  input: RoomEventInput,
  logError: (message: string, err?: unknown) => void,
): Promise<void> {
  await log
    .append(conversationId, input)
    .catch((err: unknown) =>
      logError(`room ${conversationId}: the ${input.type} event was lost`, err),
    );
}
