// Stage events of one question run: progress only moves forward, whatever order numbers come in,
// and every step checks for cancel first.
import type { RunEventInput, Stage } from '@querylane/contracts';
import { abortReason, RunCancelledError } from '../errors.ts';

export class StageReporter {
  #progress = 0;
  readonly #emit: (event: RunEventInput) => void;
  readonly #signal: AbortSignal;

  constructor(emit: (event: RunEventInput) => void, signal: AbortSignal) {
    this.#emit = emit;
    this.#signal = signal;
  }

  get progress(): number {
    return this.#progress;
  }

  stage(stage: Stage, at: number, message: string): void {
    this.check();
    this.#progress = Math.max(this.#progress, at);
    this.#emit({ type: 'stage', stage, progress: this.#progress, message });
  }

  retry(stage: Stage, attempt: number, maxAttempts: number, reason: string): void {
    this.check();
    this.#emit({ type: 'retry', stage, attempt, maxAttempts, reason });
  }

  emit(event: RunEventInput): void {
    this.#emit(event);
  }

  check(): void {
    if (this.#signal.aborted) throw new RunCancelledError(abortReason(this.#signal));
  }
}
