// One run's event writer: gives each event its seq, writes the events emitted in the same tick
// as one append (with the run's new state), and publishes only what is stored. Appends are
// chained so they land in order; a failed append never escapes as an unhandled error.
import {
  isTerminalEvent,
  type RunEvent,
  type RunEventInput,
  statusAfter,
} from '@querylane/contracts';
import { storeFault } from './errors.ts';
import type { EventLog, RunPatch } from './ports.ts';

/**
 * Waits between attempts at a write the store found busy (about 6 s in all). The waits are
 * timers, so the event loop serves everyone else meanwhile; the store's own busy timeout, which
 * blocks, stays short.
 */
const BUSY_RETRY_MS = [50, 100, 200, 400, 800, 1600, 3200];

/**
 * Recorders with events waiting for the end of this tick. They are flushed together, so the
 * appends of every run that emitted in one tick reach the event log at once and can share one
 * transaction (the default log groups them). Empty again after every flush.
 */
const due = new Set<RunRecorder>();
let flushScheduled = false;

/**
 * Commits come at most this often while events keep coming (a commit delay, as databases do
 * for group commit): a run that emits one event per tick gets its events stored a batch per
 * window rather than a transaction each, for at most this much more time before they are
 * published. After a quiet spell the first flush goes at the end of its tick, and a terminal
 * event (or an explicit flush) never waits.
 */
export const COMMIT_GAP_MS = 1;
let lastFlushAt = Number.NEGATIVE_INFINITY;

function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  const wait = lastFlushAt + COMMIT_GAP_MS - performance.now();
  if (wait > 0) setTimeout(flushDue, wait);
  else setImmediate(flushDue);
}

function flushDue(): void {
  flushScheduled = false;
  lastFlushAt = performance.now();
  const recorders = [...due];
  due.clear();
  for (const recorder of recorders) void recorder.flush();
}

export class RunRecorder {
  #seq: number;
  /** Seq of the newest event known to be stored. */
  #stored: number;
  #pending: RunEvent[] = [];
  #patch: RunPatch = {};
  #scheduled = false;
  #chain: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;
  /** Called when a batch cannot be stored even after retries; the run must then end. */
  onFailure: ((err: unknown) => void) | undefined;

  constructor(
    readonly runId: string,
    lastSeq: number,
    private readonly log: EventLog,
  ) {
    this.#seq = lastSeq;
    this.#stored = lastSeq;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  /** The error that stopped this recorder, if a write failed for good. */
  get failure(): { error: unknown } | undefined {
    return this.#failure;
  }

  emit(input: RunEventInput, patch: RunPatch = {}): RunEvent {
    this.#seq += 1;
    const event = { ...input, seq: this.#seq, runId: this.runId, at: new Date() } as RunEvent;
    this.#pending.push(event);
    Object.assign(this.#patch, patchFor(event), patch, { lastSeq: this.#seq });
    // Events emitted in the same tick share one append; terminal events are written now.
    if (isTerminalEvent(event)) void this.flush();
    else this.#schedule();
    return event;
  }

  /** Applies run changes that no event carries, in order with pending events. */
  patch(patch: RunPatch): void {
    Object.assign(this.#patch, patch);
    this.#schedule();
  }

  /** Writes what is pending; resolves once it (and every earlier write) is settled. */
  flush(): Promise<void> {
    this.#scheduled = false;
    due.delete(this);
    const batch = this.#pending;
    const patch = this.#patch;
    if (batch.length > 0 || Object.keys(patch).length > 0) {
      this.#pending = [];
      this.#patch = {};
      this.#chain = this.#chain.then(() => this.#write(batch, patch));
    }
    return this.#chain;
  }

  /**
   * After a failed write: the events that were never stored are dropped (nobody saw them, since
   * only stored events are published) and the next seq follows the last stored one, so a
   * terminal event can still be written with no gap when the store recovers.
   */
  resetToStored(): void {
    this.#seq = this.#stored;
    this.#pending = [];
    this.#patch = {};
    this.#failure = undefined;
  }

  async #write(batch: RunEvent[], patch: RunPatch): Promise<void> {
    if (this.#failure) return; // later events would leave a gap after the lost batch
    for (let attempt = 0; ; attempt++) {
      try {
        await this.log.append(this.runId, batch, patch);
        const last = batch.at(-1);
        if (last) this.#stored = last.seq;
        return;
      } catch (error) {
        // A full store stays full for longer than a run should wait; a busy one usually not.
        const wait = storeFault(error) === 'busy' ? BUSY_RETRY_MS[attempt] : undefined;
        if (wait === undefined) {
          this.#failure = { error };
          try {
            this.onFailure?.(error);
          } catch {
            // The callback is the run's way out; if it throws, the failure is still kept above.
          }
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    due.add(this);
    scheduleFlush();
  }
}

export function patchFor(event: RunEvent): RunPatch {
  switch (event.type) {
    case 'stage':
      return { stage: event.stage, progress: event.progress };
    case 'completed':
      return { status: statusAfter(event), progress: 100, finishedAt: event.at };
    case 'failed':
      return { status: statusAfter(event), error: event.error, finishedAt: event.at };
    case 'cancelled':
      return { status: statusAfter(event), finishedAt: event.at };
    default:
      return {};
  }
}

/**
 * Tells waiting runs their places in line. Stored before it resolves, so a place is known the
 * moment runs.start returns; flushed in one tick, so every run's `queued` event goes into one
 * group commit.
 */
export async function emitPlaces(
  places: readonly { entry: { runId: string }; position: number }[],
  recorderFor: (runId: string) => Promise<RunRecorder>,
): Promise<void> {
  const recorders: RunRecorder[] = [];
  for (const { entry, position } of places) {
    const recorder = await recorderFor(entry.runId);
    recorder.emit({ type: 'queued', position });
    recorders.push(recorder);
  }
  await Promise.all(recorders.map((recorder) => recorder.flush()));
}
