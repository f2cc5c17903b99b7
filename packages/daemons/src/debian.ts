// Where Debian puts the servers the cluster runs on, and running them as the right user:
// PostgreSQL refuses to run as root, so as root its tools run through `runuser -u postgres`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';

export class MissingServerError extends Error {
  constructor(what: string, path: string, pkg: string) {
    super(
      `${what} is not installed (looked for ${path}). Install Debian's package: ` +
        `apt-get install ${pkg} (.ci/run does this on a fresh machine).`,
    );
    this.name = 'MissingServerError';
  }
}

export function requireBinary(path: string, what: string, pkg: string): string {
  if (!existsSync(path)) throw new MissingServerError(what, path, pkg);
  return path;
}

/** The newest PostgreSQL server installed under /usr/lib/postgresql/<major>/bin. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(`${root}/${d}/bin/initdb`))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const major = majors[0];
  if (!major)
    throw new MissingServerError('PostgreSQL', `${root}/<version>/bin/initdb`, 'postgresql');
  return `${root}/${major}/bin`;
}

export const isRoot = () => process.getuid?.() === 0;

/** The command line that runs `argv` as the postgres user when we are root, as ourselves otherwise. */
export function asPostgresUser(argv: string[]): [string, string[]] {
  if (!isRoot()) return [argv[0] as string, argv.slice(1)];
  return ['runuser', ['-u', 'postgres', '--', ...argv]];
}

/** As root: hands `dir` to the postgres user, who must own a data directory. */
export function giveToPostgresUser(dir: string): void {
  if (!isRoot()) return;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  let uid: number;
  let gid: number;
  try {
    uid = id('-u');
    gid = id('-g');
  } catch {
    throw new Error(
      'Running as root, PostgreSQL must run as the "postgres" user, which does not exist. ' +
        "Install Debian's postgresql package (it creates the user), or run the tests as a normal user.",
    );
  }
  chownSync(dir, uid, gid);
}

/** Runs a PostgreSQL tool to completion as the postgres user; throws with its output on failure. */
export function runAsPostgres(argv: string[], what: string): string {
  const [cmd, args] = asPostgresUser(argv);
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new Error(
      `${what} failed (${res.error?.message ?? `exit ${res.status}`}):\n${res.stdout}${res.stderr}`,
    );
  }
  return res.stdout;
}
