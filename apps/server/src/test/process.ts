// The server as its own process (`node --import tsx src/main.ts`), for tests that crash it,
// stop it with a signal, restart it on the same port, or drive it from a browser.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@querylane/daemons';

export { freePort };

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const serverMain = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves once the process has exited, with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (graceful), SIGKILL after `forceAfterMs`. */
  stop(forceAfterMs?: number): Promise<void>;
  /** kill -9: no shutdown code runs at all. */
  crash(): Promise<void>;
}

/** Starts the server as a child process and resolves once it prints its URL. */
export function startServerProcess(opts: {
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverMain], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      HOST: '127.0.0.1',
      QUERYLANE_DATA_DIR: opts.dataDir,
      QUERYLANE_SHUTDOWN_GRACE_MS: '0',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const output = () => log;
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (forceAfterMs = 15_000) => {
    if (ended()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
    await exited;
    clearTimeout(timer);
  };
  const crash = async () => {
    if (ended()) return;
    child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(log);
      if (!match?.[1]) return;
      child.stdout?.off('data', onData);
      resolve({ child, url: match[1], port: Number(match[2]), output, exited, stop, crash });
    };
    child.stdout?.on('data', onData);
    exited.then(({ code, signal }) =>
      reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${log}`)),
    );
    child.once('error', reject);
  });
}
