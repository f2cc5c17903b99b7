// Parses the command line into one command with its options; anything else is a UsageError
// that main prints with the usage text (exit code 2).
import { parseArgs } from 'node:util';

export const USAGE = `Usage: querylane <command> [options]

Commands:
  ask "<question>"  ask in plain words; progress on stderr, the answer and its table on stdout
  run "<sql>"       run a read-only SQL query; progress on stderr, the result table on stdout
  watch <runId>     reattach to a run (running or finished) and replay its events
  history           the latest runs, newest first
  datasets          the datasets you can query

Options:
  -d, --dataset <id>  dataset for ask and run (default: shop)
      --sql           ask: also print the SQL that answered the question
  -n, --limit <n>     runs listed by history, 1-100 (default: 20)
      --json          print JSON instead of a table (watch: one event per line)
      --url <url>     server address (default: $QUERYLANE_URL or http://127.0.0.1:3000)
      --token <token> bearer token (default: $QUERYLANE_TOKEN)
  -h, --help          show this help
      --version       print the CLI's version

Exit codes: 0 done, 1 the run failed or was cancelled, 2 bad usage, 3 server unreachable,
130 interrupted (Ctrl+C cancels a run on the server).`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface Common {
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

export type Command =
  | { name: 'help' }
  | { name: 'version' }
  | ({ name: 'run'; sql: string; datasetId: string | undefined } & Common)
  | ({ name: 'ask'; question: string; datasetId: string | undefined; showSql: boolean } & Common)
  | ({ name: 'watch'; runId: string } & Common)
  | ({ name: 'history'; limit: number } & Common)
  | ({ name: 'datasets' } & Common);

const OPTIONS = {
  dataset: { type: 'string', short: 'd' },
  limit: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
  sql: { type: 'boolean' },
  url: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Options each command accepts besides the common ones; a stray one is a usage error. */
const OWN_OPTIONS: Record<string, readonly string[]> = {
  ask: ['dataset', 'sql'],
  run: ['dataset'],
  watch: [],
  history: ['limit'],
  datasets: [],
};

export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  if (values.version) return { name: 'version' };
  const [name, ...rest] = positionals;
  if (name === undefined)
    throw new UsageError('Which command? One of ask, run, watch, history, datasets.');
  const own = OWN_OPTIONS[name];
  if (!own) throw new UsageError(`Unknown command "${name}".`);
  for (const key of ['dataset', 'limit', 'sql'] as const) {
    if (values[key] !== undefined && !own.includes(key)) {
      throw new UsageError(`--${key} does not apply to ${name}.`);
    }
  }
  const common: Common = { json: values.json ?? false, url: values.url, token: values.token };

  const one = (what: string): string => {
    if (rest.length !== 1 || !rest[0]?.trim()) {
      throw new UsageError(`${name} takes exactly one argument: ${what}.`);
    }
    return rest[0];
  };
  const none = () => {
    if (rest.length > 0) throw new UsageError(`${name} takes no arguments (got "${rest[0]}").`);
  };

  switch (name) {
    case 'ask':
      return {
        name,
        question: one('the question, quoted'),
        datasetId: values.dataset,
        showSql: values.sql ?? false,
        ...common,
      };
    case 'run':
      return { name, sql: one('the SQL, quoted'), datasetId: values.dataset, ...common };
    case 'watch':
      return { name, runId: one('the run id'), ...common };
    case 'history': {
      none();
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new UsageError('--limit is a whole number from 1 to 100.');
      }
      return { name, limit, ...common };
    }
    default:
      none();
      return { name: 'datasets', ...common };
  }
}
