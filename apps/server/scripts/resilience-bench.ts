// What the promises of runs cost in time: cancel of heavy queries through the whole stack, how
// long a silent client keeps its socket, and one chaos pass (drops, lost, duplicated). Prints
// figures; asserts nothing. Part of `npm run bench`.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  createTestClient,
  ENDLESS,
  removeDir,
  startTestServer,
  storedEvents,
  subscribeAll,
} from '../src/test/harness.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

const server = await startTestServer({
  queryTimeoutMs: 120_000,
  pingMs: 200,
  pongWaitMs: 200,
  progressMs: 5,
});
const { trpc, close } = createTestClient(server.url);
try {
  const heavy = {
    'recursive CTE': ENDLESS,
    'cross join 219,551²': 'SELECT count(*) FROM order_items a CROSS JOIN order_items b',
  };
  for (const [name, query] of Object.entries(heavy)) {
    const mutation: number[] = [];
    const toEvent: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { runId } = await trpc.runs.start.mutate({ query });
      let running: () => void = () => {};
      const isRunning = new Promise<void>((ok) => {
        running = ok;
      });
      let cancelledAt = 0;
      const events = subscribeAll(trpc, runId, {
        onEvent: (e) => {
          if (e.type === 'stage' && e.stage === 'execute') running();
          if (e.type === 'cancelled') cancelledAt = performance.now();
        },
      });
      await isRunning;
      const t0 = performance.now();
      await trpc.runs.cancel.mutate({ runId });
      mutation.push(performance.now() - t0);
      await events;
      toEvent.push(cancelledAt - t0);
    }
    console.log(
      `cancel ${name}: runs.cancel answered (worker exited) in ${ms(median(mutation))}, ` +
        `\`cancelled\` at the subscriber after ${ms(median(toEvent))} (median of 7, max ${ms(Math.max(...toEvent))})`,
    );
  }

  const silent = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`);
  const opened = await new Promise<number>((ok) =>
    silent.once('open', () => ok(performance.now())),
  );
  const closedAt = await new Promise<number>((ok) =>
    silent.once('close', () => ok(performance.now())),
  );
  console.log(
    `keep-alive: a client that never answers is dropped after ${ms(closedAt - opened)} (pingMs 200 + pongWaitMs 200)`,
  );

  const { runId } = await trpc.runs.start.mutate({
    query: 'SELECT oi.id, o.status FROM order_items oi JOIN orders o ON o.id = oi.order_id',
  });
  let drops = 0;
  const got = await subscribeAll(trpc, runId, {
    onEvent: () => {
      if (Math.random() < 0.2) {
        for (const ws of server.wss.clients) ws.terminate();
        drops += 1;
      }
    },
  });
  const stored = await storedEvents(server, runId);
  const seqs = new Set(got.map((e) => e.seq));
  console.log(
    `resume: ${got.length} events through ${drops} dropped sockets, lost ${stored.length - seqs.size}, duplicated ${got.length - seqs.size}`,
  );
} finally {
  close();
  await server.close();
  removeDir(server.dataDir);
}
