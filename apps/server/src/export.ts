// GET /runs/<runId>.csv: every row of a completed run as CSV, streamed as it is read. The run's
// SQL runs again in an export worker with no row cap (the stored result keeps only the first
// rows); the caller is authenticated as on /trpc and sees the runs they may see on /trpc (their
// own, and those of rooms they are in). An export counts
// against the runs-per-minute budget, since it runs the query again.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '@querylane/api';
import { csvLine } from '@querylane/contracts/csv';
import { type DatasetRegistry, exportRows, QueryError } from '@querylane/engine';
import { NotFoundError, NotMemberError } from '@querylane/runs';
import type { Callers } from './callers.ts';

const PATH = /^\/runs\/([A-Za-z0-9_-]{1,64})\.csv$/;

export interface CsvExportOptions {
  callers: Callers;
  services: Services;
  datasets: DatasetRegistry;
  /** How long one export may take from first row to last. */
  timeoutMs: number;
  log: (message: string, err?: unknown) => void;
}

function plain(res: ServerResponse, status: number, text: string, headers = {}): void {
  res
    .writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    })
    .end(`${text}\n`);
}

/** The handler, and whether a path is one of its. */
export function createCsvExport(opts: CsvExportOptions) {
  const { callers, services } = opts;

  async function handle(req: IncomingMessage, res: ServerResponse, runId: string): Promise<void> {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const ctx = await callers.http(req);
    if (!ctx.userId) {
      plain(res, 401, 'Sign in to download this run.', { 'www-authenticate': 'Bearer' });
      return;
    }
    let run: Awaited<ReturnType<Services['runs']['visible']>>;
    try {
      run = await services.runs.visible(ctx.userId, runId);
    } catch (err) {
      if (err instanceof NotMemberError) {
        services.audit.refused('not_member', ctx, {
          target: `GET /runs/${runId}.csv`,
          detail: err.detail,
        });
      }
      if (err instanceof NotFoundError) return plain(res, 404, `Run ${runId} not found.`);
      throw err;
    }
    if (run.status !== 'completed') {
      return plain(res, 409, `Run ${runId} is ${run.status}; only a completed run has rows.`);
    }
    const take = services.runStarts.take(ctx.userId);
    if (!take.ok) {
      services.audit.refused('runs_per_minute', ctx, {
        target: `GET /runs/${runId}.csv`,
        detail: { retryAfterMs: take.retryAfterMs, perMinute: services.runStarts.perMinute },
      });
      return plain(res, 429, 'Too many runs started; try again in a moment.', {
        'retry-after': String(Math.ceil(take.retryAfterMs / 1000)),
      });
    }

    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort('The download was closed.');
    });
    try {
      const path = opts.datasets.get(run.datasetId).path;
      for await (const chunk of exportRows({
        path,
        sql: run.query,
        timeoutMs: opts.timeoutMs,
        signal: abort.signal,
      })) {
        const text =
          'columns' in chunk
            ? `${csvLine(chunk.columns.map((c) => c.name))}\r\n`
            : `${chunk.rows.map(csvLine).join('\r\n')}\r\n`;
        if (!res.headersSent) {
          res.writeHead(200, {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="querylane-${runId.slice(0, 8)}.csv"`,
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
          });
        }
        // Backpressure: the next batch is read only once this one is on its way.
        if (!res.write(text)) {
          await new Promise<void>((resolve) => {
            res.once('drain', resolve);
            res.once('close', resolve);
          });
        }
        if (abort.signal.aborted) return;
      }
      res.end();
    } catch (err) {
      if (abort.signal.aborted) return;
      if (res.headersSent) {
        // Half a file must not pass for a whole one: the connection is cut, not ended.
        opts.log(`GET /runs/${runId}.csv stopped`, err);
        res.destroy(err instanceof Error ? err : undefined);
      } else if (err instanceof QueryError) {
        plain(res, err.code === 'TIMEOUT' ? 504 : 422, `${err.code}: ${err.message}`);
      } else {
        throw err;
      }
    }
  }

  return {
    /** The run id when `url` is an export of this handler's, else null. */
    match(url: string): string | null {
      return PATH.exec(url.split('?')[0] ?? '')?.[1] ?? null;
    },
    serve(req: IncomingMessage, res: ServerResponse, runId: string): void {
      handle(req, res, runId).catch((err: unknown) => {
        opts.log(`GET /runs/${runId}.csv failed`, err);
        if (!res.headersSent) plain(res, 500, 'The export failed.');
        else res.destroy();
      });
    },
  };
}
