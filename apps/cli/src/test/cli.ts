// What the CLI's tests share: the real server on port 0 for a test file with a client of it, the
// compiled `querylane` bin run against it as a child process, and a reader for its tables.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createQuerylaneClient, type QuerylaneClient } from '@querylane/client';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';

export const bin = fileURLToPath(new URL('../../bin/querylane.js', import.meta.url));

export const CATEGORIES =
  'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category';
export const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tableLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l !== '' && !l.startsWith('('));
}

/**
 * Sets up the file's tests: the server (its statement timeout raised, so only Ctrl+C ends the
 * endless query) and a client of it; `server` and `client` are read inside a test.
 */
export function useCliServer() {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let client: QuerylaneClient;
  beforeAll(async () => {
    server = await startTestServer({ queryTimeoutMs: 120_000 });
    client = createQuerylaneClient({ url: server.url, WebSocket });
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    if (server) removeDir(server.dataDir);
  });

  function start(
    args: string[],
    url = server.url,
    opts: { env?: Record<string, string>; stdin?: string } = {},
  ): { child: ChildProcess; done: Promise<Outcome> } {
    const { QUERYLANE_TOKEN: _token, QUERYLANE_DEBUG: _debug, ...inherited } = process.env;
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...inherited, QUERYLANE_URL: url, ...opts.env },
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const done = new Promise<Outcome>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
    return { child, done };
  }

  const cli = (...args: string[]) => start(args).done;

  async function latestRun() {
    const [latest] = (await client.trpc.runs.list.query({ limit: 1 })).items;
    if (!latest) throw new Error('no run stored');
    return client.trpc.runs.byId.query({ runId: latest.id });
  }

  return {
    get server() {
      return server;
    },
    get client() {
      return client;
    },
    start,
    cli,
    latestRun,
  };
}
