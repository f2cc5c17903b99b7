// A tiny Node app that uses Querylane through @querylane/client: lists the datasets, runs one
// query with live progress, prints the answer. Run: npm start -w @querylane/example-node-consumer
// [-- http://host:port] against a running server (`npm start` at the repo root).
import { createQuerylaneClient, QuerylaneRunError, type Result } from '@querylane/client';
import WebSocket from 'ws'; // Node 20 has no global WebSocket; Node 22+ and browsers do

const url = process.argv[2] ?? 'http://127.0.0.1:3000';
const querylane = createQuerylaneClient({ url, WebSocket, lazy: true });

try {
  const datasets = await querylane.trpc.datasets.list.query();
  console.log(`datasets: ${datasets.map((d) => `${d.id} (${d.tables.length} tables)`).join(', ')}`);

  const result: Result = await querylane.run(
    'SELECT category, count(*) AS products FROM products GROUP BY category ORDER BY products DESC',
    {
      datasetId: 'shop',
      onEvent: (event) => {
        // `event` is a discriminated union from the router: each branch sees its own fields.
        if (event.type === 'stage') console.error(`  ${event.stage} ${event.progress}%`);
        if (event.type === 'rows') console.error(`  ${event.fetched} rows`);
      },
    },
  );
  for (const [category, products] of result.rows) console.log(`${category}: ${products}`);
  console.log(result.summary);
} catch (err) {
  if (!(err instanceof QuerylaneRunError)) throw err;
  // `code` is the closed set the server fails runs with, plus CANCELLED.
  console.error(`${err.code}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
  process.exitCode = 1;
} finally {
  await querylane.close();
}
