// Entry point of `querylane`: parse the command line, and only for a real command load the client
// and run it, so --help and --version answer before any network code is loaded.
import pkg from '../package.json' with { type: 'json' };
import { jsonError } from './json-error.ts';
import { parseCommand } from './program.ts';
import { exitQuietlyOnClosedPipe } from './stdio.ts';

exitQuietlyOnClosedPipe(process.stdout);
exitQuietlyOnClosedPipe(process.stderr);

const argv = process.argv.slice(2);
const parsed = parseCommand(
  argv,
  {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  },
  pkg.version,
);
if (parsed.kind === 'exit') {
  if (parsed.usageError !== undefined && argv.includes('--json')) {
    process.stdout.write(
      jsonError({ code: 'USAGE', message: parsed.usageError, exitCode: parsed.code }),
    );
  }
  process.exitCode = parsed.code;
} else {
  const { execute } = await import('./execute.ts');
  process.exitCode = await execute(parsed.command);
}
