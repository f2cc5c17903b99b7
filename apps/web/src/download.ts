// Saves a run's rows as a CSV file: every row, streamed by the server from GET /runs/<id>.csv
// (the stored result keeps only the first rows), sent with the tab's token like every request.
import { readStoredToken } from './session.tsx';

export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has started the download; the object URL is no longer needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export async function downloadRunCsv(runId: string, fileName: string): Promise<void> {
  const token = readStoredToken();
  const res = await fetch(`/runs/${encodeURIComponent(runId)}.csv`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok) {
    const text = (await res.text()).trim();
    throw new Error(text || `the server answered ${res.status}`);
  }
  saveFile(await res.blob(), fileName);
}
