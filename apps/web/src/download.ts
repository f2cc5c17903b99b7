// Saves a run's rows as a CSV file in the browser's downloads.
import { toCsv } from './csv.ts';
import type { RunResult } from './trpc/types.ts';

export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has started the download; the object URL is no longer needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export async function downloadRunCsv(
  _runId: string,
  result: RunResult,
  fileName: string,
): Promise<void> {
  saveFile(new Blob([toCsv(result)], { type: 'text/csv;charset=utf-8' }), fileName);
}
