// How values and times are written on screen: result cells keep SQLite's distinctions (NULL vs
// empty text, blobs) visible, and numbers line up.

export type CellKind = 'null' | 'blob' | 'number' | 'text' | 'boolean' | 'date' | 'other';

export interface Cell {
  kind: CellKind;
  text: string;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

export function formatCell(value: unknown): Cell {
  if (value === null || value === undefined) return { kind: 'null', text: 'NULL' };
  if (value instanceof Uint8Array)
    return { kind: 'blob', text: `<blob ${value.byteLength} bytes>` };
  if (typeof value === 'number') {
    // Ids and years read wrong with grouping separators, so only fractions get formatting.
    return {
      kind: 'number',
      text: Number.isInteger(value) ? String(value) : numberFormat.format(value),
    };
  }
  if (typeof value === 'bigint') return { kind: 'number', text: value.toString() };
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (typeof value === 'boolean') return { kind: 'boolean', text: String(value) };
  if (value instanceof Date) return { kind: 'date', text: value.toISOString() };
  return { kind: 'other', text: JSON.stringify(value) ?? String(value) };
}

export function formatDuration(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "just now", "5 min ago", "yesterday", then a date: sidebar entries stay short. */
export function formatRelative(date: Date, now: Date = new Date()): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
}

/** Quotes an identifier for SQLite only when it needs it, so inserted SQL stays readable. */
export function quoteIdent(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** A query on one line, cut to a length a screen reader can say as a label. */
export function shortQuery(sql: string, max = 80): string {
  const line = sql.trim().replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
