// What each command does with a connected client: ask a question or run a query with live
// progress, replay a run, list history and datasets. Output goes to the streams given, errors
// are thrown to main.
import {
  type QuerylaneClient,
  QuerylaneRunError,
  type Result,
  type RunEvent,
} from '@querylane/client';
import { ExitCode } from './failure.ts';
import {
  formatEventLine,
  formatTable,
  formatTime,
  oneLine,
  plural,
  toJson,
  toJsonLine,
} from './format.ts';
import type { Command } from './program.ts';
import { ProgressLine } from './progress.ts';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Set by `run` once Ctrl+C asked it to cancel, so main reports "cancelled" with exit 130. */
  interrupted: boolean;
}

function printResult(io: Io, result: Result): void {
  if (result.columns.length === 0) {
    io.stdout.write('(no columns)\n');
    return;
  }
  io.stdout.write(
    `${formatTable(
      result.columns.map((c) => c.name),
      result.rows,
    )}\n`,
  );
  const kept = result.rows.length;
  io.stdout.write(
    result.truncated
      ? `(${kept.toLocaleString('en-US')} of ${plural(result.rowCount, 'row')}; the server keeps ${kept.toLocaleString('en-US')})\n`
      : `(${plural(result.rowCount, 'row')})\n`,
  );
}

/** A question's answer (markdown, printed as written), what it was read as, and its SQL. */
function printAnswer(io: Io, result: Result, showSql: boolean): void {
  if (result.answer) io.stdout.write(`${result.answer}\n\n`);
  if (result.reading) io.stdout.write(`Read as: ${result.reading}\n`);
  if (showSql && result.sql) io.stdout.write(`SQL: ${result.sql}\n`);
  io.stdout.write('\n');
}

async function run(
  client: QuerylaneClient,
  cmd: Extract<Command, { name: 'run' | 'ask' }>,
  io: Io,
): Promise<number> {
  const progress = io.stderr.isTTY ? new ProgressLine(io.stderr) : undefined;
  const controller = new AbortController();
  const onSigint = () => {
    if (io.interrupted) {
      // A second Ctrl+C: the user does not want to wait for the server to confirm.
      progress?.clear();
      io.stderr.write('querylane: interrupted\n');
      process.exit(ExitCode.interrupted);
    }
    io.interrupted = true;
    if (progress) progress.note('cancelling… (Ctrl+C again to quit now)');
    else io.stderr.write('querylane: cancelling the run…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const opts = {
      datasetId: cmd.datasetId,
      signal: controller.signal,
      // Answer text arrives in pieces; the bar shows stages, the answer is printed at the end.
      onEvent: (event: RunEvent) => (event.type === 'answer' ? undefined : progress?.update(event)),
    };
    const result =
      cmd.name === 'ask' ? await client.ask(cmd.question, opts) : await client.run(cmd.sql, opts);
    progress?.clear();
    if (cmd.json) io.stdout.write(`${toJson(result)}\n`);
    else {
      if (cmd.name === 'ask') printAnswer(io, result, cmd.showSql);
      printResult(io, result);
    }
    if (progress) {
      io.stderr.write(`run ${progress.state.runId} · ${Math.round(result.elapsedMs)} ms\n`);
    }
    return ExitCode.ok;
  } finally {
    progress?.clear();
    process.off('SIGINT', onSigint);
  }
}

function terminalError(event: RunEvent): QuerylaneRunError | undefined {
  if (event.type === 'failed') {
    return new QuerylaneRunError({ ...event.error, runId: event.runId });
  }
  if (event.type === 'cancelled') {
    return new QuerylaneRunError({ code: 'CANCELLED', message: event.reason, runId: event.runId });
  }
  return undefined;
}

async function watch(
  client: QuerylaneClient,
  cmd: Extract<Command, { name: 'watch' }>,
  io: Io,
): Promise<number> {
  // Over HTTP first: an unknown run or an unreachable server fails fast and clearly, where the
  // socket would keep retrying.
  await client.trpc.runs.byId.query({ runId: cmd.runId });
  let last: RunEvent | undefined;
  for await (const event of client.events(cmd.runId)) {
    last = event;
    io.stdout.write(`${cmd.json ? toJsonLine(event) : formatEventLine(event)}\n`);
  }
  if (last?.type === 'completed') {
    if (!cmd.json) printResult(io, last.result);
    return ExitCode.ok;
  }
  const error = last && terminalError(last);
  if (error) throw error;
  // The stream ended without a terminal event: the stored record says how the run ended.
  const record = await client.trpc.runs.byId.query({ runId: cmd.runId });
  throw new QuerylaneRunError({
    code: record.error?.code ?? 'INTERRUPTED',
    message: record.error?.message ?? `The run ended ${record.status}.`,
    hint: record.error?.hint,
    runId: cmd.runId,
  });
}

async function history(
  client: QuerylaneClient,
  cmd: Extract<Command, { name: 'history' }>,
  io: Io,
): Promise<number> {
  const { items } = await client.trpc.runs.list.query({ limit: cmd.limit });
  if (cmd.json) {
    io.stdout.write(`${toJson(items)}\n`);
  } else if (items.length === 0) {
    io.stdout.write('(no runs yet)\n');
  } else {
    const rows = items.map((r) => [
      formatTime(r.createdAt),
      r.status,
      r.datasetId,
      r.id,
      oneLine(r.query, 60),
    ]);
    io.stdout.write(`${formatTable(['created', 'status', 'dataset', 'id', 'query'], rows)}\n`);
  }
  return ExitCode.ok;
}

async function datasets(
  client: QuerylaneClient,
  cmd: Extract<Command, { name: 'datasets' }>,
  io: Io,
): Promise<number> {
  const list = await client.trpc.datasets.list.query();
  if (cmd.json) {
    io.stdout.write(`${toJson(list)}\n`);
  } else {
    const rows = list.map((d) => [d.id, d.name, d.kind, oneLine(d.tables.join(', '), 70)]);
    io.stdout.write(`${formatTable(['id', 'name', 'kind', 'tables'], rows)}\n`);
  }
  return ExitCode.ok;
}

export function execute(client: QuerylaneClient, cmd: Command, io: Io): Promise<number> {
  switch (cmd.name) {
    case 'ask':
    case 'run':
      return run(client, cmd, io);
    case 'watch':
      return watch(client, cmd, io);
    case 'history':
      return history(client, cmd, io);
    case 'datasets':
      return datasets(client, cmd, io);
  }
}
