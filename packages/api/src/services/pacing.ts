// Keeps a slow client bounded. tRPC's ws adapter sends every yielded value at once, so a client
// that reads slowly makes the server buffer without limit; this watches the socket instead.
import type { RunEvent } from '@querylane/contracts';
import type { SocketHandle, StreamLimits, StreamStats } from '../transport.ts';

const POLL_MS = 20;

// Only progress may be folded into a later event of its kind; the rest always goes out.
const isProgress = (event: RunEvent): boolean => event.type === 'stage' || event.type === 'rows';

/** Drops every progress event that a later one of the same type, already waiting, supersedes. */
function coalesce(outbox: RunEvent[]): number {
  const latest = new Map<RunEvent['type'], RunEvent>();
  for (const event of outbox) if (isProgress(event)) latest.set(event.type, event);
  const before = outbox.length;
  const kept = outbox.filter((e) => !isProgress(e) || latest.get(e.type) === e);
  outbox.splice(0, outbox.length, ...kept);
  return before - kept.length;
}

/**
 * Passes `source` through unchanged while the socket keeps up. Once more than
 * `softBufferBytes` wait for the client, only the latest `stage` and `rows` event go out (in
 * seq order, just before the next event that must), and every `started`, `queued`, `plan`,
 * `retry` and terminal event still does. (The hard bound is the server's: it watches every
 * send on the socket, whichever subscription it comes from.)
 */
export async function* paced(
  events: AsyncIterable<RunEvent>,
  socket: Pick<SocketHandle, 'bufferedAmount'>,
  limits: Pick<StreamLimits, 'softBufferBytes'>,
  stats?: StreamStats,
): AsyncGenerator<RunEvent> {
  const source = events[Symbol.asyncIterator]();
  const outbox: RunEvent[] = [];
  let pending: Promise<IteratorResult<RunEvent>> | undefined;
  let done = false;
  const pull = () => {
    pending ??= source.next();
    return pending;
  };
  const take = (result: IteratorResult<RunEvent>) => {
    pending = undefined;
    if (result.done) done = true;
    else outbox.push(result.value);
  };
  try {
    while (!done || outbox.length > 0) {
      if (outbox.length === 0) {
        take(await pull());
        continue;
      }
      const buffered = socket.bufferedAmount;
      if (buffered <= limits.softBufferBytes || done || !outbox.every(isProgress)) {
        if (buffered > limits.softBufferBytes) {
          const dropped = coalesce(outbox);
          if (stats) stats.coalesced += dropped;
        }
        const next = outbox.shift();
        if (next) yield next;
        continue;
      }
      // Congested with only progress waiting: hold it until the client catches up or an
      // event arrives that supersedes it or has to go out.
      const dropped = coalesce(outbox);
      if (stats) stats.coalesced += dropped;
      const woken = await Promise.race([
        pull(),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), POLL_MS)),
      ]);
      if (woken) take(woken);
    }
  } finally {
    await source.return?.(undefined);
  }
}
