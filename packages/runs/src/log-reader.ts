// The seam every log shares: subscribe live first, replay the stored events, then tail the live
// ones, dropping what the replay already yielded and filling any hole from the store. Runs,
// rooms and the activity feed all read through here, so resume is exact for each of them: by
// push (`followLog`, a Follower) or by pull (`readLog`, the same Follower behind an iterator).
import { Follower, FollowIterator, type LogParts } from './follow.ts';
import type { LogSink, ReadOptions, Sequenced } from './ports.ts';

export type { LogParts } from './follow.ts';

/** Hands the events of `key` after `afterSeq` to `sink`: each once, in seq order, no gap. */
export function followLog<E extends Sequenced>(
  parts: LogParts<E>,
  key: string,
  afterSeq: number,
  sink: LogSink<E>,
  opts?: ReadOptions,
): { stop(): void } {
  return new Follower(parts, key, afterSeq, sink, opts);
}

/** Stored events of `key` after `afterSeq`, then live ones: each once, in seq order, no gap. */
export function readLog<E extends Sequenced>(
  parts: LogParts<E>,
  key: string,
  afterSeq: number,
  signal?: AbortSignal,
  opts?: ReadOptions,
): AsyncIterableIterator<E> {
  return new FollowIterator<E>((sink) => followLog(parts, key, afterSeq, sink, opts), signal);
}
