// Entry point: read the environment, start the server, stop cleanly on SIGTERM/SIGINT, and
// restart when an admin asks (admin.restart): drain as on SIGTERM, then start the server again
// in this process on the same port (QUERYLANE_RESTART=self), or exit with RESTART_EXIT_CODE for a
// supervisor to start it (QUERYLANE_RESTART=exit).
import { readEnv } from './env.ts';
import { installLastResortHandlers } from './last-resort.ts';
import { configFromEnv, RESTART_EXIT_CODE, type RunningServer, startServer } from './server.ts';

/** What keeps the server from starting is said plainly, and the process exits 1 (not a bug). */
function cannotStart(err: unknown): never {
  console.error(`Querylane could not start: ${(err as Error)?.message ?? err}`);
  process.exit(1);
}

let env: ReturnType<typeof readEnv>;
try {
  env = readEnv();
} catch (err) {
  cannotStart(err);
}
installLastResortHandlers();
const config = configFromEnv(env);
const grace = env.QUERYLANE_SHUTDOWN_GRACE_MS;
let state: 'running' | 'restarting' | 'stopping' = 'running';
let server: RunningServer;
/** Read through a call: a signal may change the state while a restart awaits its drain. */
const stopping = () => state === 'stopping';

async function start(port: number): Promise<void> {
  server = await startServer({ ...config, port, onRestart: (by) => void restart(by) });
  console.log(`Querylane listening on ${server.url}`);
  console.log(`Node ${config.nodeId}: ${server.backend}.`);
}

async function restart(by: string): Promise<void> {
  if (state !== 'running') return;
  state = 'restarting';
  console.log(
    `Restart asked by ${by}: draining; running runs get ${grace / 1000} s to finish, waiting runs stay queued…`,
  );
  try {
    await server.close();
  } catch (err) {
    console.error('Draining for the restart failed', err);
    process.exit(1);
  }
  // A signal during the drain wins: the process stops instead.
  if (stopping()) process.exit(0);
  if (env.QUERYLANE_RESTART === 'exit') {
    console.log(`Drained; exiting with code ${RESTART_EXIT_CODE} for the supervisor to restart.`);
    process.exit(RESTART_EXIT_CODE);
  }
  try {
    await start(server.port);
    state = 'running';
  } catch (err) {
    console.error('The server could not start again', err);
    process.exit(1);
  }
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (state === 'stopping') {
    // A second signal: stop now. Runs still going are marked interrupted at the next start.
    console.error(`${signal} again: exiting without waiting.`);
    process.exit(1);
  }
  const wasRestarting = state === 'restarting';
  state = 'stopping';
  console.log(
    `${signal}: stopping; running runs get ${grace / 1000} s to finish, waiting runs stay queued for ${env.QUERYLANE_DATABASE_URL ? 'the other nodes' : 'the next start'} (signal again to exit now)…`,
  );
  const force = setTimeout(() => {
    console.error('Shutdown took too long; exiting.');
    process.exit(1);
  }, grace + 10_000);
  force.unref();
  // A restart under way is draining already; it exits once that is done.
  if (wasRestarting) return;
  try {
    await server.close();
    process.exit(0);
  } catch (err) {
    console.error('Shutdown failed', err);
    process.exit(1);
  }
}

await start(config.port).catch(cannotStart);
console.log(
  env.QUERYLANE_AUTH === 'none'
    ? 'Authentication is off: every client is the one local user (and its admin); sharing is off.'
    : `Authentication: ${env.QUERYLANE_AUTH}; clients send a token (Bearer, or connectionParams.token).`,
);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
