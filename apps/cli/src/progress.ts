// The live progress line on stderr: a bar, the percent and what the run is doing, redrawn in
// place for each event. Only drawn on a terminal; piped stderr gets nothing from here.
import type { RunEvent } from '@querylane/client';
import { describeEvent, plural } from './format.ts';
import { truncate } from './width.ts';

export interface Progress {
  percent: number;
  /** The stage, or the last notable thing that happened. */
  label: string;
  rows: number | undefined;
  runId: string | undefined;
}

export const initialProgress: Progress = {
  percent: 0,
  label: 'starting',
  rows: undefined,
  runId: undefined,
};

export function advance(state: Progress, event: RunEvent): Progress {
  const next: Progress = { ...state, runId: event.runId };
  switch (event.type) {
    case 'started':
      return { ...next, label: 'started' };
    case 'queued':
      return { ...next, label: `queued, ${describeEvent(event)}` };
    case 'stage':
      return { ...next, label: event.stage, percent: Math.max(state.percent, event.progress) };
    case 'plan':
      return next;
    case 'rows':
      return { ...next, rows: event.fetched };
    case 'retry':
      return { ...next, label: `${event.stage} (retry ${event.attempt}/${event.maxAttempts})` };
    case 'completed':
      return { ...next, label: 'completed', percent: 100, rows: event.result.rowCount };
    case 'failed':
      return { ...next, label: `failed: ${event.error.code}` };
    case 'cancelled':
      return { ...next, label: 'cancelled' };
    default: {
      // A type added to the server after this CLI was built: show it as it comes.
      const type: string = (event as { type: string }).type;
      const detail = describeEvent(event);
      return { ...next, label: detail ? `${type} ${detail}` : type };
    }
  }
}

const BAR = 24;

/** One line, never wider than `columns` (a wrapped line would break the in-place redraw). */
export function renderProgress(state: Progress, columns = 80, note?: string): string {
  const percent = Math.min(100, Math.max(0, Math.round(state.percent)));
  const filled = Math.round((percent / 100) * BAR);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
  const parts = [`${bar} ${String(percent).padStart(3)}%`, state.label];
  if (state.rows !== undefined) parts.push(plural(state.rows, 'row'));
  if (note) parts.push(note);
  const text = parts.join('  ');
  return truncate(text, Math.max(10, columns - 1));
}

/** Redraws the progress line on a TTY stream; `clear()` leaves the line empty for what follows. */
export class ProgressLine {
  #state = initialProgress;
  #note: string | undefined;
  #drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  get state(): Progress {
    return this.#state;
  }

  update(event: RunEvent): void {
    this.#state = advance(this.#state, event);
    this.#draw();
  }

  note(text: string | undefined): void {
    this.#note = text;
    this.#draw();
  }

  clear(): void {
    if (this.#drawn) this.stream.write('\r\x1b[2K');
    this.#drawn = false;
  }

  #draw(): void {
    this.stream.write(
      `\r\x1b[2K${renderProgress(this.#state, this.stream.columns || 80, this.#note)}`,
    );
    this.#drawn = true;
  }
}
