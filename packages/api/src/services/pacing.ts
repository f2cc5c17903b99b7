// Keeps a slow client bounded. tRPC's ws adapter sends every yielded value at once, so a client
// that reads slowly makes the server buffer without limit; this watches the socket instead.
import type { RunEvent } from '@querylane/contracts';
import type { SocketHandle, StreamLimits, StreamStats } from '../transport.ts';

const POLL_MS = 20;
const OPEN = 1;
/** A subscription waiting for its first event lets the next one on its socket start after this. */
const TURN_MS = 50;

/**
 * Subscriptions on one socket start one after another, each a turn of the event loop after the
 * last one's first event went out (or after TURN_MS, for one that waits on live events). A frame
 * of a hundred replays of a big result would otherwise read and encode all of them in one go,
 * before the first send shows that the client is not reading; this way the socket's backlog (and
 * its hard bound, and its close) is seen between any two of them.
 */
const turns = new WeakMap<object, Promise<void>>();

function takeTurn(socket: object): { ready: Promise<void>; done: () => void } {
  let done = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const previous = turns.get(socket) ?? Promise.resolve();
  const ready = previous.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  turns.set(
    socket,
    ready.then(() =>
      Promise.race([finished, new Promise<void>((resolve) => setTimeout(resolve, TURN_MS))]),
    ),
  );
  return { ready, done };
}

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
  socket: Pick<SocketHandle, 'bufferedAmount' | 'readyState'>,
  limits: Pick<StreamLimits, 'softBufferBytes'>,
  stats?: StreamStats,
): AsyncGenerator<RunEvent> {
  const turn = takeTurn(socket);
  await turn.ready;
  // Nothing more is prepared for a socket that is gone (cut at the hard bound, or closed).
  const gone = () => socket.readyState !== OPEN;
  if (gone()) {
    turn.done();
    return;
  }
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
    while ((!done || outbox.length > 0) && !gone()) {
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
        if (next && !gone()) {
          yield next;
          turn.done();
        }
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
    turn.done();
    await source.return?.(undefined);
  }
}
