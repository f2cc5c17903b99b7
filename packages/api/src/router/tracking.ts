// Tracked ids for streams that mix stored events with signals that are not history (presence,
// figures): a stored event is tracked by its seq; a signal by the seq before it and a counter,
// so a client that resumes after either asks for what followed that seq, and no id repeats.
import { tracked } from '@trpc/server';

/** `afterSeq` is where the stream began, so a signal before any event still resumes there. */
export async function* trackSequenced<T extends object>(items: AsyncIterable<T>, afterSeq: number) {
  let last = afterSeq;
  let n = 0;
  for await (const item of items) {
    const seq = (item as { seq?: unknown }).seq;
    if (typeof seq === 'number') {
      last = seq;
      n = 0;
      yield tracked(String(seq), item);
    } else {
      n += 1;
      yield tracked(`${last}-${n}`, item);
    }
  }
}
