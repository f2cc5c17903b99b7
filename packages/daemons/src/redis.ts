// A throwaway Redis from Debian's redis-server: no persistence, a free port on loopback, a
// temporary working directory. `restart()` brings it back on the same port with nothing in it,
// which is what a crashed Redis without persistence looks like to its clients.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './debian.ts';
import { freePort, waitForPort } from './ports.ts';
import { onExit } from './reaper.ts';

export interface RedisServer {
  url: string;
  port: number;
  /** Whether the server is running now. */
  readonly running: boolean;
  /** kill -9: clients see the connection drop; everything in memory is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after `kill`), empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const BINARY = '/usr/bin/redis-server';

export async function startRedis(
  opts: {
    port?: number;
    /** In a process group of its own, so a Ctrl+C meant for the parent does not reach it. */
    detached?: boolean;
  } = {},
): Promise<RedisServer> {
  const bin = requireBinary(BINARY, 'Redis', 'redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'querylane-redis-'));
  const port = opts.port ?? (await freePort());
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    output = '';
    const proc = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
        '--dir',
        dir,
        '--protected-mode',
        'no',
        '--loglevel',
        'warning',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false },
    );
    child = proc;
    proc.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const early = new Promise<never>((_, reject) =>
      proc.once('exit', (code) =>
        reject(new Error(`redis-server exited at start (code ${code}):\n${output}`)),
      ),
    );
    early.catch(() => {});
    await Promise.race([waitForPort(port, 30_000, 'redis-server'), early]);
  };
  const kill = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };

  try {
    await launch();
  } catch (err) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start Redis: ${(err as Error).message}`);
  }
  const unregister = onExit(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return child !== undefined;
    },
    kill,
    start: launch,
    async stop() {
      unregister();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
