// Runs one parsed command: reads the environment, the token and (for `run -`) the SQL on stdin,
// connects, and turns whatever ended the command into an exit code and one short message.
// Loaded only once the command line named a command, so help and version never pay for it.
import { readFile } from 'node:fs/promises';
import { createQuerylaneClient, type QuerylaneClient } from '@querylane/client';
import WebSocket from 'ws';
import { execute as executeCommand, type Io } from './commands.ts';
import { readEnv } from './env.ts';
import { explain, UsageError } from './failure.ts';
import { jsonError } from './json-error.ts';
import type { Command } from './program.ts';
import { readAll, StdinTooLargeError } from './stdio.ts';

// The server takes at most 100,000 characters; four bytes each is the most UTF-8 needs.
const MAX_STDIN_BYTES = 400_000;

async function readToken(cmd: Command, envToken: string | undefined): Promise<string | undefined> {
  if (cmd.token !== undefined) return cmd.token;
  if (cmd.tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(cmd.tokenFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new UsageError(`cannot read --token-file ${cmd.tokenFile} (${code}).`);
    }
    const token = text.trim();
    if (!token) throw new UsageError(`--token-file ${cmd.tokenFile} is empty.`);
    return token;
  }
  return envToken;
}

async function readSql(cmd: Command, io: Io): Promise<Command> {
  if (cmd.name !== 'run' || cmd.sql !== '-') return cmd;
  if (process.stdin.isTTY)
    io.stderr.write('querylane: reading the SQL from stdin (Ctrl+D ends it)\n');
  let sql: string;
  try {
    sql = await readAll(process.stdin, MAX_STDIN_BYTES);
  } catch (err) {
    if (err instanceof StdinTooLargeError) throw new UsageError(err.message);
    throw err;
  }
  if (!sql.trim()) throw new UsageError('The SQL on stdin is empty.');
  return { ...cmd, sql };
}

export async function execute(parsed: Command): Promise<number> {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, interrupted: false };
  let url = parsed.url ?? 'http://127.0.0.1:3000';
  let debug = false;
  let client: QuerylaneClient | undefined;
  try {
    const env = readEnv();
    url = parsed.url ?? env.QUERYLANE_URL;
    debug = Boolean(env.QUERYLANE_DEBUG);
    const token = await readToken(parsed, env.QUERYLANE_TOKEN);
    const cmd = await readSql(parsed, io);
    try {
      // Lazy: commands that only read history open no socket; `run` and `watch` open it on demand.
      client = createQuerylaneClient({
        url,
        token,
        WebSocket,
        lazy: true,
        // A server of another version: said once on stderr, where it cannot spoil piped output.
        onWarning: (message) => io.stderr.write(`querylane: warning: ${message}\n`),
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return await executeCommand(client, cmd, io);
  } catch (err) {
    const report = explain(err, { url, interrupted: io.interrupted, debug });
    io.stderr.write(`querylane: ${report.text}\n`);
    if (parsed.json) io.stdout.write(jsonError(report));
    return report.exitCode;
  } finally {
    await client?.close();
  }
}
