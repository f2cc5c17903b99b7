// `events()`: a run's events as an async iterable (replayed after lastEventId, then live),
// each seq once, ending after the terminal event; leaving the loop ends the subscription.
import { isTerminalEvent } from '@querylane/contracts';
import type { TRPCClient } from '@trpc/client';
import type { EventsOptions } from './client-options.ts';
import type { AppRouter } from './router.ts';
import type { RunEvent } from './types.ts';

export async function* runEvents(
  trpc: TRPCClient<AppRouter>,
  runId: string,
  eventsOpts: EventsOptions = {},
): AsyncGenerator<RunEvent, void, undefined> {
  const after = eventsOpts.lastEventId == null ? null : String(eventsOpts.lastEventId);
  let lastSeq = after === null ? 0 : Number(after);
  const pending: RunEvent[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const sub = trpc.runs.events.subscribe(
    { runId, lastEventId: after },
    {
      onData: ({ data }) => {
        pending.push(data);
        notify();
      },
      onError: (error) => {
        failure = { error };
        notify();
      },
      onComplete: () => {
        ended = true;
        notify();
      },
    },
  );
  try {
    for (;;) {
      const event = pending.shift();
      if (event) {
        if (event.seq <= lastSeq) continue;
        lastSeq = event.seq;
        yield event;
        if (isTerminalEvent(event)) return;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    sub.unsubscribe();
  }
}
