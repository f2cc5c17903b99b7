// The command line of `querylane`, declared with commander: each command's arguments, options and
// help. Parsing yields one typed command, or says it printed help, the version or a usage error.
import { CommanderError, InvalidArgumentError, Option, Command as Program } from 'commander';

export interface Common {
  json: boolean;
  url: string | undefined;
  token: string | undefined;
  tokenFile: string | undefined;
}

export type Command =
  /** `sql` is `-` when the SQL comes on stdin. */
  | ({ name: 'run'; sql: string; datasetId: string | undefined } & Common)
  | ({ name: 'ask'; question: string; datasetId: string | undefined; showSql: boolean } & Common)
  | ({ name: 'watch'; runId: string } & Common)
  | ({ name: 'history'; limit: number } & Common)
  | ({ name: 'datasets' } & Common);

export type Parsed =
  | { kind: 'command'; command: Command }
  /** Help, the version or a usage error was printed; exit with this code. */
  | { kind: 'exit'; code: number; usageError?: string };

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Terminal width for wrapping help; undefined when stdout is not a terminal. */
  columns?: number | undefined;
}

export const USAGE_EXIT_CODE = 2;

const EXIT_CODES = `Exit codes: 0 done, 1 the run failed or was cancelled, 2 bad usage, 3 server unreachable,
130 interrupted (Ctrl+C cancels a run on the server).`;

const CONNECTION = `Connection: --url or QUERYLANE_URL (default http://127.0.0.1:3000). A token comes from
--token-file, QUERYLANE_TOKEN or --token (argv is visible to other users in ps).`;

function limit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100) {
    throw new InvalidArgumentError('a whole number from 1 to 100.');
  }
  return n;
}

function nonEmpty(what: string) {
  return (value: string): string => {
    if (!value.trim()) throw new InvalidArgumentError(`${what} is empty.`);
    return value;
  };
}

function build(output: Output, version: string, onCommand: (cmd: Command) => void): Program {
  const program = new Program('querylane');
  const common = (cmd: Program): Common => {
    const o = cmd.optsWithGlobals<{
      json?: boolean;
      url?: string;
      token?: string;
      tokenFile?: string;
    }>();
    return { json: o.json ?? false, url: o.url, token: o.token, tokenFile: o.tokenFile };
  };

  program
    .description(
      'Ask your data in plain words or run read-only SQL on a Querylane server, and follow runs from the terminal.',
    )
    .version(version, '-V, --version', "print the CLI's version")
    .helpOption('-h, --help', 'show help (also: querylane <command> --help)')
    .option('--json', 'print JSON instead of tables (watch: one event per line; errors too)')
    .option('--url <url>', 'server address (default: $QUERYLANE_URL or http://127.0.0.1:3000)')
    .addOption(new Option('--token-file <path>', 'read the bearer token from a file'))
    .option('--token <token>', 'bearer token (prefer --token-file or $QUERYLANE_TOKEN)')
    .addHelpText('after', `\n${CONNECTION}\n\n${EXIT_CODES}`)
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: output.out,
      writeErr: output.err,
      outputError: (text, write) => write(`querylane: ${text.replace(/^error: /, '')}`),
      getOutHelpWidth: () => output.columns ?? 80,
      getErrHelpWidth: () => output.columns ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });

  const command = (nameAndArgs: string, description: string) =>
    program
      .command(nameAndArgs)
      .description(description)
      .showHelpAfterError(`(querylane ${nameAndArgs.split(' ')[0]} --help shows its usage)`);

  command('ask', 'ask in plain words; progress on stderr, the answer and its table on stdout')
    .argument('<question>', 'the question, quoted', nonEmpty('The question'))
    .option('-d, --dataset <id>', 'dataset to ask (default: shop)')
    .option('--sql', 'also print the SQL that answered the question')
    .addHelpText(
      'after',
      `
A question the server cannot answer exits 1 with what it understood and questions that would work.

Examples:
  querylane ask "How many orders per status?"
  querylane ask "Revenue by channel last year" --sql
  querylane ask "Top 5 products by revenue" --json`,
    )
    .action((question: string, opts: { dataset?: string; sql?: boolean }, cmd: Program) =>
      onCommand({
        name: 'ask',
        question,
        datasetId: opts.dataset,
        showSql: opts.sql ?? false,
        ...common(cmd),
      }),
    );

  command('run', 'run a read-only SQL query; progress on stderr, the result on stdout')
    .argument('<sql>', 'the SQL, quoted; - reads it from stdin', nonEmpty('The SQL'))
    .option('-d, --dataset <id>', 'dataset to query (default: shop)')
    .addHelpText(
      'after',
      `
Examples:
  querylane run "SELECT category, count(*) FROM products GROUP BY category"
  querylane run - --json < report.sql
  querylane run "SELECT * FROM orders" | head -5`,
    )
    .action((sql: string, opts: { dataset?: string }, cmd: Program) =>
      onCommand({ name: 'run', sql, datasetId: opts.dataset, ...common(cmd) }),
    );

  command('watch', 'reattach to a run (running or finished) and replay its events')
    .argument('<runId>', 'the run id (querylane history lists them)', nonEmpty('The run id'))
    .action((runId: string, _opts: unknown, cmd: Program) =>
      onCommand({ name: 'watch', runId, ...common(cmd) }),
    );

  command('history', 'the latest runs, newest first')
    .option('-n, --limit <n>', 'how many runs, 1-100', limit, 20)
    .action((opts: { limit: number }, cmd: Program) =>
      onCommand({ name: 'history', limit: opts.limit, ...common(cmd) }),
    );

  command('datasets', 'the datasets you can query').action((_opts: unknown, cmd: Program) =>
    onCommand({ name: 'datasets', ...common(cmd) }),
  );

  return program;
}

/** Parses `argv` (without node and the script). Prints help, the version and usage errors itself. */
export function parseCommand(argv: readonly string[], output: Output, version: string): Parsed {
  let parsed: Command | undefined;
  const program = build(output, version, (cmd) => {
    parsed = cmd;
  });
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return { kind: 'exit', code: USAGE_EXIT_CODE, usageError: 'Which command?' };
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    const printedOnly =
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help';
    if (printedOnly && err.exitCode === 0) return { kind: 'exit', code: 0 };
    return {
      kind: 'exit',
      code: USAGE_EXIT_CODE,
      usageError: err.message.replace(/^error: /, '').replace(/\n/g, ' '),
    };
  }
  if (!parsed) throw new Error('commander finished without a command');
  return { kind: 'command', command: parsed };
}
