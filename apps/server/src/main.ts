// Entry point: read the environment, start the server, stop cleanly on SIGTERM/SIGINT.
import { readEnv } from './env.ts';
import { configFromEnv, startServer } from './server.ts';

const env = readEnv();
const server = await startServer(configFromEnv(env));
console.log(`Querylane listening on ${server.url}`);
console.log(
  env.QUERYLANE_AUTH === 'none'
    ? 'Authentication is off: every client is the one local user (and its admin).'
    : `Authentication: ${env.QUERYLANE_AUTH}; clients send a token (Bearer, or connectionParams.token).`,
);

let stopping = false;
async function stop(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping (running runs end interrupted)…`);
  const force = setTimeout(() => {
    console.error('Shutdown took over 10 s; exiting.');
    process.exit(1);
  }, 10_000);
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
