// @querylane/client as an app outside the repository gets it: the packed tarball installed into a
// throwaway project (no workspace links, no server code), type-checked by plain tsc under
// `bundler` and `node16` resolution, then run by plain node against the real server.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, startTestServer } from '@querylane/server/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  type Consumer,
  consumerProject,
  type Packed,
  pack,
} from './testing/consumer.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = fileURLToPath(new URL('../dist/index.d.ts', import.meta.url));

const strict = {
  target: 'ES2022',
  lib: ['ES2023'],
  strict: true,
  skipLibCheck: true,
  types: ['node'],
};

/** What an app would write: each `@ts-expect-error` fails the compile if the types were loose. */
const consumerSource = `import {
  createQuerylaneClient,
  type EventOf,
  isTerminalEvent,
  QuerylaneRunError,
  type Result,
  type RunEvent,
} from '@querylane/client';
import WebSocket from 'ws';

const url = process.argv[2] ?? '';
const client = createQuerylaneClient({ url, WebSocket, onWarning: (m) => console.error(m) });

function describe(e: RunEvent): string {
  switch (e.type) {
    case 'stage': {
      const stage:
        | 'understand'
        | 'plan'
        | 'generate'
        | 'validate'
        | 'execute'
        | 'interpret'
        | 'review'
        | 'finalize' = e.stage;
      // @ts-expect-error a stage is one of the pipeline's names, never any string
      const notAStage: typeof stage = 'cooking';
      void notAStage;
      return \`\${stage} \${e.progress.toFixed(0)}%\`;
    }
    case 'completed':
      return \`\${e.result.rowCount} rows\`;
    case 'failed':
      return e.error.code;
    default:
      // @ts-expect-error only a completed event has a result
      return String(e.result);
  }
}

const seen: RunEvent[] = [];
const result: Result = await client.run('SELECT 41 + 1 AS answer', {
  onEvent: (e) => {
    seen.push(e);
    describe(e);
  },
});
// @ts-expect-error a result has no 'values' field; its values are in rows
void result.values;
const completed: EventOf<'completed'> | undefined = seen.find(
  (e): e is EventOf<'completed'> => e.type === 'completed',
);
const runId = seen[0]?.runId ?? '';

const replayed: number[] = [];
for await (const e of client.events(runId)) replayed.push(e.seq);
const resumed: number[] = [];
for await (const e of client.events(runId, { lastEventId: 2 })) resumed.push(e.seq);

// @ts-expect-error runs.start takes { query }, not { sql }
if (process.argv[3] === 'never') await client.trpc.runs.start.mutate({ sql: 'SELECT 1' });

const controller = new AbortController();
const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';
const cancelled = await client
  .run(endless, {
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'stage' && e.stage === 'execute') controller.abort();
    },
  })
  .then(
    () => null,
    (err: unknown) => (err instanceof QuerylaneRunError ? { code: err.code, runId: err.runId } : String(err)),
  );
const stored =
  cancelled && typeof cancelled === 'object'
    ? await client.trpc.runs.byId.query({ runId: cancelled.runId })
    : null;

await client.close();
console.log(
  JSON.stringify({
    rows: result.rows,
    columns: result.columns.map((c) => c.name),
    types: seen.map((e) => e.type),
    terminal: seen.filter(isTerminalEvent).map((e) => e.type),
    completedRows: completed?.result.rowCount,
    runId,
    replayed,
    resumed,
    cancelled,
    cancelledStatus: stored?.status,
  }),
);
`;

let server: Awaited<ReturnType<typeof startTestServer>>;
let packed: Packed;
let consumer: Consumer;
let tarballs: string;

beforeAll(async () => {
  assertBuilt(dist, '`npm run build -w @querylane/client`');
  server = await startTestServer({ queryTimeoutMs: 120_000 });
  tarballs = mkdtempSync(join(tmpdir(), 'querylane-pack-'));
  packed = pack(packageDir, tarballs);
  consumer = consumerProject({
    'package.json': JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { '@querylane/client': `file:${packed.tarball}`, ws: '^8.18.0' },
      // A TypeScript app has its compiler; it also satisfies tRPC's peer dependency on it.
      devDependencies: { '@types/node': '^20.19.0', '@types/ws': '^8.18.1', typescript: '~5.9.3' },
    }),
    'src/main.ts': consumerSource,
    'tsconfig.bundler.json': JSON.stringify({
      compilerOptions: { ...strict, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true },
      include: ['src'],
    }),
    'tsconfig.node16.json': JSON.stringify({
      compilerOptions: { ...strict, module: 'Node16', moduleResolution: 'Node16', outDir: 'out' },
      include: ['src'],
    }),
  });
  consumer.install();
}, 300_000);

afterAll(async () => {
  consumer?.remove();
  if (tarballs) rmSync(tarballs, { recursive: true, force: true });
  await server?.close();
  if (server) removeDir(server.dataDir);
});

describe('the packed @querylane/client', () => {
  it('ships built JavaScript and one declaration file, and installs only its runtime dependencies', () => {
    expect(packed.files).toEqual(['dist/index.d.ts', 'dist/index.js', 'package.json']);
    const declarations = readFileSync(dist, 'utf8');
    const imported = [...declarations.matchAll(/^(?:import|export)\b[^;]*? from '([^']+)'/gm)].map(
      (m) => m[1],
    );
    expect([...new Set(imported)].sort()).toEqual([
      '@trpc/client',
      '@trpc/server',
      '@trpc/server/unstable-core-do-not-import',
    ]);
    // tRPC lists typescript as a peer dependency: the app's own compiler, not ours to count.
    const installed = consumer.dependenciesOf('@querylane/client', ['typescript']);
    expect(installed).toEqual(['@trpc/client', '@trpc/server', 'copy-anything', 'superjson']);
    console.log(
      `@querylane/client tarball: ${packed.size} B packed, ${packed.unpackedSize} B unpacked; ` +
        `installs ${installed.length} packages: ${installed.join(', ')}`,
    );
  });

  // Two full tsc runs: seconds on an idle machine, minutes on a crowded one (a ceiling only).
  it('type-checks a strict consumer under bundler and node16 resolution', () => {
    expect(consumer.tsc('tsconfig.bundler.json')).toBe('');
    expect(consumer.tsc('tsconfig.node16.json')).toBe('');
  }, 300_000);

  it('runs with plain node: run() resolves, events() replays and resumes, abort cancels', async () => {
    const printed = await consumer.node('out/main.js', [server.url]);
    console.log(`node out/main.js ${server.url} printed: ${printed.trim()}`);
    const out = JSON.parse(printed) as {
      rows: unknown[][];
      columns: string[];
      types: string[];
      terminal: string[];
      completedRows: number;
      runId: string;
      replayed: number[];
      resumed: number[];
      cancelled: { code: string; runId: string };
      cancelledStatus: string;
    };
    const stored = (await server.stores.history.after(out.runId, 0, 1000)).map((e) => e.seq);
    expect(out.rows).toEqual([[42]]);
    expect(out.columns).toEqual(['answer']);
    expect(out.types[0]).toBe('started');
    expect(out.terminal).toEqual(['completed']);
    expect(out.completedRows).toBe(1);
    expect(out.replayed).toEqual(stored);
    expect(out.resumed).toEqual(stored.slice(2));
    expect(out.cancelled.code).toBe('CANCELLED');
    expect(out.cancelledStatus).toBe('cancelled');
    expect((await server.stores.runs.get(out.cancelled.runId))?.status).toBe('cancelled');
  });
});
