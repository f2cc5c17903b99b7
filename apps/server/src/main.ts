// Entry point: read the environment, start the server, stop cleanly on SIGTERM/SIGINT.
import { readEnv } from './env.ts';
import { configFromEnv, startServer } from './server.ts';

const env = readEnv();
const server = await startServer(configFromEnv(env));
console.log(`Querylane listening on ${server.url}`);
console.log(`Node ${env.QUERYLANE_NODE_ID}: ${server.backend}.`);
console.log(
  env.QUERYLANE_AUTH === 'none'
    ? 'Authentication is off: every client is the one local user (and its admin).'
    : `Authentication: ${env.QUERYLANE_AUTH}; clients send a token (Bearer, or connectionParams.token).`,
);

let stopping = false;
async function stop(signal: NodeJS.Signals) {
  if (stopping) {
    // A second signal: stop now. Runs still going are marked interrupted at the next start.
    console.error(`${signal} again: exiting without waiting.`);
    process.exit(1);
  }
  stopping = true;
  const grace = env.QUERYLANE_SHUTDOWN_GRACE_MS;
  console.log(
    `${signal}: stopping; running runs get ${grace / 1000} s to finish, waiting runs stay queued for ${env.QUERYLANE_DATABASE_URL ? 'the other nodes' : 'the next start'} (signal again to exit now)…`,
  );
  const force = setTimeout(() => {
    console.error('Shutdown took too long; exiting.');
    process.exit(1);
  }, grace + 10_000);
  force.unref();
  try {
    await server.close();
    process.exit(0);
  } catch (err) {
    console.error('Shutdown failed', err);
    process.exit(1);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
