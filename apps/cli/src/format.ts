// Turns results, runs and events into terminal text: aligned tables, one-line event
// descriptions and JSON that survives blobs and bigints. Pure functions, so tests need no process.
import type { RunEvent } from '@querylane/client';
import { displayWidth, padEnd, padStart, truncate } from './width.ts';

const MAX_CELL = 80;

/** One SQLite value as a table cell: NULL spelled out, blobs as hex, never more than one line. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Uint8Array) {
    const hex = Array.from(value.subarray(0, 32), (b) => b.toString(16).padStart(2, '0')).join('');
    return `\\x${hex}${value.length > 32 ? '…' : ''}`;
  }
  if (value instanceof Date) return value.toISOString();
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    text = String(value);
  } else text = JSON.stringify(value) ?? String(value);
  text = text
    .replace(/\r\n|\r|\n/g, '↵')
    .replace(/\t/g, ' ')
    // Other control characters (an escape sequence stored in the data) would drive the terminal
    // instead of showing; their Unicode pictures (␛, ␀, …) show what is there.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
    .replace(/[\u0000-\u001f\u007f]/g, (c) =>
      String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)),
    );
  return truncate(text, MAX_CELL);
}

const isNumeric = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';

/**
 * Header, a dashed rule, then one line per row; columns two spaces apart, numbers right-aligned
 * (a column counts as numeric when every non-NULL value in it is a number). Widths are terminal
 * columns, so CJK text and emoji line up.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const cells = rows.map((row) => headers.map((_, i) => formatCell(row[i])));
  const widths = headers.map((h, i) =>
    Math.max(displayWidth(h), ...cells.map((row) => displayWidth(row[i] ?? ''))),
  );
  const rightAligned = headers.map(
    (_, i) =>
      rows.some((row) => isNumeric(row[i])) &&
      rows.every((row) => row[i] === null || row[i] === undefined || isNumeric(row[i])),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const width = widths[i] ?? 0;
        return rightAligned[i] ? padStart(v, width) : padEnd(v, width);
      })
      .join('  ')
      .trimEnd();
  return [
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map((row) => line(row)),
  ].join('\n');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function jsonReplacer(_key: string, v: unknown): unknown {
  if (v instanceof Uint8Array) {
    return `\\x${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** JSON for people and programs: blobs as `\x…` hex strings, bigints as strings, indented. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer, 2);
}

/** The same JSON on one line, for newline-delimited output. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}

/** On one line and at most `max` terminal columns. */
export function oneLine(text: string, max = 80): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

/** Fields of an event this CLI does not know yet, as `key=value`, so a new type still reads. */
function extraFields(event: object): string {
  return Object.entries(event)
    .filter(([k]) => !['type', 'seq', 'runId', 'at'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? toJsonLine(v) : String(v)}`)
    .join(' ');
}

/** What happened, in a few words: the tail of a `watch` line and of the progress line. */
export function describeEvent(event: RunEvent): string {
  switch (event.type) {
    case 'started':
      return `on ${event.datasetId}: ${oneLine(event.query, 60)}`;
    case 'queued':
      return event.position === 1 ? 'next to run' : `#${event.position} in line`;
    case 'stage':
      return `${event.stage} ${event.progress}% ${event.message}`;
    case 'plan':
      return oneLine(event.steps.map((s) => s.detail).join('; '), 80) || '(no steps)';
    case 'rows':
      return `${plural(event.fetched, 'row')} fetched`;
    case 'retry':
      return `${event.stage} attempt ${event.attempt}/${event.maxAttempts}: ${oneLine(event.reason, 60)}`;
    case 'completed':
      return `${plural(event.result.rowCount, 'row')} in ${Math.round(event.result.elapsedMs)} ms`;
    case 'failed':
      return `${event.error.code}: ${event.error.message}`;
    case 'cancelled':
      return event.reason;
    default:
      // An event type added to the server after this CLI was built.
      return extraFields(event);
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `#seq  HH:MM:SS.mmm  type  what`: one line per event for `watch`. */
export function formatEventLine(event: RunEvent): string {
  const at = event.at;
  const time = `${pad2(at.getHours())}:${pad2(at.getMinutes())}:${pad2(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
  const type: string = event.type;
  return `#${String(event.seq).padEnd(4)} ${time}  ${type.padEnd(9)}  ${describeEvent(event)}`.trimEnd();
}

export function formatTime(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}
