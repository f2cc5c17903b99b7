// One member's view of a room as it happens: the room's log from where they left off, merged with
// who is present and typing. Having the stream open is being present: a heartbeat keeps the
// session alive, and it leaves when the stream ends — closed tab, dead socket, lost access.
import { endsAccessFor, type RoomEvent, type RoomPresence } from '@querylane/contracts';
import { withSignals } from './merge.ts';
import type { Presence, RoomLog } from './ports.ts';

/** What `rooms.events` carries: the room's stored events, and presence (not history). */
export type RoomStreamItem = RoomEvent | ({ type: 'presence' } & RoomPresence);

export interface RoomStreamDeps {
  log: RoomLog;
  presence: Presence;
  /** How long a session stays present without a heartbeat (the keep-alive window). */
  presenceTtlMs: number;
  logError: (message: string, err?: unknown) => void;
}

export async function* roomStream(
  deps: RoomStreamDeps,
  userId: string,
  conversationId: string,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<RoomStreamItem> {
  const { log, presence, presenceTtlMs, logError } = deps;
  const session = { sessionId: crypto.randomUUID(), userId };
  const beat = () =>
    presence
      .heartbeat(conversationId, session, presenceTtlMs)
      .catch((err: unknown) => logError(`presence heartbeat in ${conversationId} failed`, err));
  await beat();
  // Well inside the TTL, so one late beat never makes anyone flicker out.
  const timer = setInterval(beat, Math.max(50, presenceTtlMs / 3));
  timer.unref();
  const attach = (push: (state: RoomPresence) => void) => {
    let heard = false;
    const off = presence.watch(conversationId, (state) => {
      heard = true;
      push(state);
    });
    // The state now, unless a change (which carries a newer state) got here first.
    presence
      .list(conversationId)
      .then((state) => heard || push(state))
      .catch((err: unknown) => logError(`presence of ${conversationId} unreadable`, err));
    return off;
  };
  try {
    const merged = withSignals((stop) => log.read(conversationId, afterSeq, stop), attach, signal);
    for await (const item of merged) {
      if ('signal' in item) {
        yield { type: 'presence', ...item.signal };
        continue;
      }
      yield item.event;
      if (endsAccessFor(item.event, userId)) return;
    }
  } finally {
    clearInterval(timer);
    await presence
      .leave(conversationId, session.sessionId)
      .catch((err: unknown) => logError(`presence leave in ${conversationId} failed`, err));
  }
}
