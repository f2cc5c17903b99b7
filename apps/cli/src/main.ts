// Entry point of `querylane`: parse the command line, connect, run one command, exit with a
// code that says how it went. Errors print as one short message, never as a stack trace.
import { createRequire } from 'node:module';
import { createQuerylaneClient, type QuerylaneClient } from '@querylane/client';
import WebSocket from 'ws';
import { parseCommand, USAGE, UsageError } from './args.ts';
import { execute, type Io } from './commands.ts';
import { readEnv } from './env.ts';
import { ExitCode, explain } from './failure.ts';

async function main(argv: readonly string[]): Promise<number> {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, interrupted: false };
  const fail = (message: string, exitCode: number) => {
    io.stderr.write(`querylane: ${message}\n`);
    return exitCode;
  };

  let env: ReturnType<typeof readEnv>;
  let cmd: ReturnType<typeof parseCommand>;
  try {
    env = readEnv();
    cmd = parseCommand(argv);
  } catch (err) {
    const message = (err as Error).message;
    return fail(err instanceof UsageError ? `${message}\n\n${USAGE}` : message, ExitCode.usage);
  }
  if (cmd.name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  if (cmd.name === 'version') {
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    io.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }

  const url = cmd.url ?? env.QUERYLANE_URL;
  let client: QuerylaneClient;
  try {
    // Lazy: commands that only read history open no socket; `run` and `watch` open it on demand.
    client = createQuerylaneClient({
      url,
      token: cmd.token ?? env.QUERYLANE_TOKEN,
      WebSocket,
      lazy: true,
    });
  } catch (err) {
    return fail((err as Error).message, ExitCode.usage);
  }
  try {
    return await execute(client, cmd, io);
  } catch (err) {
    const explained = explain(err, {
      url,
      interrupted: io.interrupted,
      debug: Boolean(env.QUERYLANE_DEBUG),
    });
    return fail(explained.message, explained.exitCode);
  } finally {
    await client.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
