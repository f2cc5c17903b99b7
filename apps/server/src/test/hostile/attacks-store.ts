// Attacks through the history store: a conversation deleted while a run starts into it, another
// process holding the store's write lock, and a store with no room left. Each runs until its
// signal aborts and returns what it saw; the tests and the hostile bench judge that.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppRouter, RunEventOutput } from '@querylane/api';
import { TRPCClientError } from '@trpc/client';
import { SLOW, subscribeAll } from '../harness.ts';
import { pause, type Target } from './kit.ts';

/** A tRPC error's code and message, or the value when the call succeeded. */
export type Settled<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (err) {
    if (!(err instanceof TRPCClientError)) throw err;
    const { data, message } = err as TRPCClientError<AppRouter>;
    return { ok: false, code: data?.code ?? 'NONE', message };
  }
}

export interface DeleteRaceRound {
  /** Which call the batch carried first. */
  order: 'delete-first' | 'start-first';
  /** How the long run the conversation held ended, as its subscriber saw it. */
  longRunEnd: RunEventOutput | undefined;
  deleted: Settled<unknown>;
  /** The start into the conversation being deleted. */
  second: Settled<{ runId: string; conversationId: string }>;
  /** The second run read back afterwards (it must be gone, or have ended). */
  secondAfter: Settled<{ status: string }> | null;
}

/**
 * Start a long run in a conversation; once it executes, delete the conversation and start
 * another run into it in one HTTP batch, so both are in flight on the server at once (the
 * order of the two alternates). What crashed the server with a FOREIGN KEY error before.
 */
export async function deleteRace(
  target: Target,
  signal: AbortSignal,
  begun: () => void,
): Promise<DeleteRaceRound[]> {
  const { trpc } = target.client;
  const rounds: DeleteRaceRound[] = [];
  // Both orders at least once, however slow the machine.
  while (!signal.aborted || rounds.length < 2) {
    const order = rounds.length % 2 === 0 ? 'delete-first' : 'start-first';
    const { runId, conversationId } = await trpc.runs.start.mutate({ query: SLOW });
    let executing: () => void = () => {};
    const isExecuting = new Promise<void>((resolve) => {
      executing = resolve;
    });
    const longRun = subscribeAll(trpc, runId, {
      onEvent: (e) => {
        if (e.type === 'stage' && e.stage === 'execute') executing();
      },
    }).then(
      (events) => events.at(-1),
      () => undefined,
    );
    await Promise.race([isExecuting, longRun]);
    begun();
    const del = () => settle(trpc.conversations.delete.mutate({ conversationId }));
    const start = () =>
      settle(trpc.runs.start.mutate({ query: 'SELECT 1 AS one', conversationId }));
    // Called in one tick: httpBatchLink sends them as one request, handled concurrently.
    const [deleted, second] =
      order === 'delete-first'
        ? await Promise.all([del(), start()])
        : await Promise.all([start(), del()]).then(([s, d]) => [d, s] as const);
    const secondAfter = second.ok
      ? await settle(trpc.runs.byId.query({ runId: second.value.runId }))
      : null;
    rounds.push({ order, longRunEnd: await longRun, deleted, second, secondAfter });
  }
  return rounds;
}

const lockHolder = fileURLToPath(new URL('./lock-holder.mjs', import.meta.url));

/** Streams rows for far longer than any attack window: a run with events to write throughout. */
export const STREAMING =
  'SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 200000000) SELECT x FROM c)';

export interface BusyOutcome {
  runId: string;
  /** runs.start tried while the lock was held. */
  starts: Settled<unknown>[];
  /** Every event the run's subscriber got, to its end (after the lock was let go). */
  events: RunEventOutput[];
}

/**
 * Another process takes the store's write lock while a run streams rows, and holds it for the
 * whole window: far longer than the store's busy timeout and the run's retries. Then lets go.
 */
export async function storeBusy(
  target: Target,
  signal: AbortSignal,
  begun: () => void,
): Promise<BusyOutcome> {
  const { trpc } = target.client;
  const { runId } = await trpc.runs.start.mutate({ query: STREAMING });
  let streaming: () => void = () => {};
  const isStreaming = new Promise<void>((resolve) => {
    streaming = resolve;
  });
  const events = subscribeAll(trpc, runId, {
    onEvent: (e) => {
      if (e.type === 'rows') streaming();
    },
  });
  await isStreaming;
  const holder = spawn(process.execPath, [lockHolder, join(target.dataDir, 'querylane.db')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('locked')) resolve();
    });
    holder.once('exit', (code) => reject(new Error(`lock holder exited (${code})`)));
  });
  begun();
  const starts: Settled<unknown>[] = [];
  while (!signal.aborted) {
    starts.push(await settle(trpc.runs.start.mutate({ query: 'SELECT 2 AS two' })));
    await pause(500, signal);
  }
  holder.kill('SIGTERM');
  await exited;
  return { runId, starts, events: await events };
}

/** A run whose result takes a good share of a 1 MB store: a few of them fill it. */
export const WIDE =
  'SELECT oi.*, o.*, p.name, p.category FROM order_items oi JOIN orders o ON o.id = oi.order_id JOIN products p ON p.id = oi.product_id LIMIT 1000';

export interface FullOutcome {
  /** Per attempt: the start refused, or the run's last event. */
  attempts: (Settled<unknown> | { ended: RunEventOutput | undefined; runId: string })[];
}

/** Runs with wide results, one after another, into a store capped at a size they outgrow. */
export async function storeFull(
  target: Target,
  signal: AbortSignal,
  begun: () => void,
): Promise<FullOutcome> {
  const { trpc } = target.client;
  const attempts: FullOutcome['attempts'] = [];
  let full = false;
  // Until the cap has turned something away at least once, however slow the machine.
  while (!signal.aborted || !full) {
    const started = await settle(trpc.runs.start.mutate({ query: WIDE }));
    begun();
    if (!started.ok) {
      attempts.push(started);
      full = true;
      await pause(200, signal);
      continue;
    }
    const { runId } = started.value;
    const ended = (await subscribeAll(trpc, runId)).at(-1);
    attempts.push({ runId, ended });
    if (ended?.type === 'failed') full = true;
  }
  return { attempts };
}
