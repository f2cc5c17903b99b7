// `npm run cluster`: Querylane as a cluster on this machine, from Debian's packages — PostgreSQL
// and Redis in a temporary directory, three server processes, HAProxy in front — so a newcomer
// can watch it work in one command. Prints the balancer's URL; Ctrl+C stops everything.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  type HaproxyServer,
  type PostgresServer,
  type RedisServer,
  startHaproxy,
  startPostgres,
  startRedis,
} from '@querylane/daemons';
import { ensureShopDataset } from '@querylane/engine';

const NODES = 3;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const serverMain = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// The same dataset files at the same paths on every node: here, one data folder for all three.
const dataDir = resolve(repoRoot, 'data');
const balancerPort = Number(process.env.QUERYLANE_CLUSTER_PORT ?? 8080);
const say = (line: string) => console.log(`cluster: ${line}`);

let pg: PostgresServer | undefined;
let redis: RedisServer | undefined;
let lb: HaproxyServer | undefined;
const nodes: ChildProcess[] = [];

function startNode(i: number, port: number, env: Record<string, string>): Promise<void> {
  const name = `node-${i + 1}`;
  const child = spawn(process.execPath, ['--import', 'tsx', serverMain], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUERYLANE_NODE_ID: name,
      QUERYLANE_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Ctrl+C reaches this script only; it stops the nodes one signal each, gracefully.
    detached: true,
  });
  nodes.push(child);
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => `[${name}] ${line}\n`)
      .join('');
  child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  return new Promise((ok, fail) => {
    const onData = (c: Buffer) => {
      if (!c.toString().includes('listening on')) return;
      child.stdout?.off('data', onData);
      ok();
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${name} exited (code ${code}) while starting`)));
  });
}

let stopping: Promise<void> | undefined;
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    say('stopping the nodes, HAProxy, Redis and PostgreSQL…');
    await Promise.all(
      nodes.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      ),
    );
    await lb?.stop();
    await redis?.stop();
    await pg?.stop();
    say('stopped.');
  })();
  return stopping;
}

process.on('SIGINT', () => {
  if (stopping) {
    for (const child of nodes) child.kill('SIGKILL');
    process.exit(1);
  }
  void stopAll().then(() => process.exit(0));
});
process.on('SIGTERM', () => void stopAll().then(() => process.exit(0)));
// If this script dies some other way, its nodes (in their own process groups) go with it.
process.on('exit', () => {
  for (const child of nodes) child.kill('SIGKILL');
});

try {
  say('PostgreSQL and Redis from Debian’s packages, in a temporary directory…');
  [pg, redis] = await Promise.all([startPostgres(), startRedis({ detached: true })]);
  const databaseUrl = await pg.createDatabase('querylane');
  ensureShopDataset(resolve(dataDir, 'shop.db'));
  const ports = await Promise.all(Array.from({ length: NODES }, () => freePort()));
  const env = {
    QUERYLANE_DATABASE_URL: databaseUrl,
    QUERYLANE_REDIS_URL: redis.url,
    // Every client reaches the nodes through HAProxy, so from one address.
    QUERYLANE_MAX_CONNECTIONS_PER_IP: '1000',
    QUERYLANE_MAX_CONCURRENT_RUNS: process.env.QUERYLANE_MAX_CONCURRENT_RUNS ?? '2',
  };
  say(`three nodes on ports ${ports.join(', ')}…`);
  await Promise.all(ports.map((port, i) => startNode(i, port, env)));
  lb = await startHaproxy({
    detached: true,
    port: balancerPort,
    backends: ports.map((port, i) => ({ name: `node-${i + 1}`, port })),
  });
  say('');
  say(`Querylane (three nodes behind HAProxy): ${lb.url}`);
  say(`  admin page, with the nodes:          ${lb.url}/admin`);
  say(`  PostgreSQL: ${databaseUrl}`);
  say(`  Redis:      ${redis.url}`);
  say('Try `kill -9` on a node process: its runs end interrupted, its clients move on.');
  say('Ctrl+C stops everything.');
} catch (err) {
  console.error(`cluster: could not start: ${(err as Error).message}`);
  await stopAll();
  process.exit(1);
}
