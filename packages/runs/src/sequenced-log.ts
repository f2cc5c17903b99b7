// A log with many writers (a room's members, the server's parts): the history numbers each event
// as it stores it, then it is published; readers go through the same seam as run events.
import { readLog } from './log-reader.ts';
import type { LiveChannel, Sequenced, SequencedHistory, SequencedLog } from './ports.ts';

export function createSequencedLog<E extends Sequenced, I>(opts: {
  history: SequencedHistory<E, I>;
  live: LiveChannel<E>;
  isTerminal: (event: E) => boolean;
}): SequencedLog<E, I> {
  const { history, live, isTerminal } = opts;
  const parts = { source: history, live, isTerminal };
  return {
    async append(key, input) {
      const event = await history.append(key, input);
      // Two writers may publish out of seq order; a reader that sees the later one first
      // fetches the earlier from the history, which already holds it.
      await live.publish(key, [event]);
      return event;
    },
    read: (key, afterSeq, signal, readOpts) => readLog(parts, key, afterSeq, signal, readOpts),
    lastSeq: (key) => history.lastSeq(key),
    listenerCount: (key) => live.listenerCount(key),
  };
}
