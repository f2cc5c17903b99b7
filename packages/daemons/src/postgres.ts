// A throwaway PostgreSQL server from Debian's packages: initdb into a temporary directory, started
// on a free port with fsync off (tests and the local cluster need speed, not durability), stopped
// and removed after. As root it runs as the postgres user, since PostgreSQL refuses root.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asPostgresUser, giveToPostgresUser, postgresBin, runAsPostgres } from './debian.ts';
import { freePort } from './ports.ts';
import { onExit } from './reaper.ts';

export interface PostgresServer {
  /** The server's own `postgres` database, as the superuser `postgres`. */
  url: string;
  port: number;
  /** A new empty database (or a copy of `template`); resolves with its URL. */
  createDatabase(name?: string, template?: string): Promise<string>;
  /** Runs SQL in the `postgres` database through psql; resolves with its output. */
  sql(statement: string): Promise<string>;
  stop(): Promise<void>;
}

let counter = 0;

export async function startPostgres(opts: { port?: number } = {}): Promise<PostgresServer> {
  const bin = postgresBin();
  const root = mkdtempSync(join(tmpdir(), 'querylane-pg-'));
  giveToPostgresUser(root);
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  const port = opts.port ?? (await freePort());
  const pgCtl = join(bin, 'pg_ctl');
  try {
    runAsPostgres(
      [join(bin, 'initdb'), '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8'].concat([
        '--locale=C',
        '--no-sync',
      ]),
      'initdb',
    );
    const options = [
      `-p ${port}`,
      `-k ${root}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
      '-c shared_buffers=64MB',
    ].join(' ');
    runAsPostgres(
      [pgCtl, '-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start'],
      'pg_ctl start',
    );
  } catch (err) {
    const tail = existsSync(log) ? `\n${readFileSync(log, 'utf8').slice(-2000)}` : '';
    rmSync(root, { recursive: true, force: true });
    throw new Error(`Could not start PostgreSQL: ${(err as Error).message}${tail}`);
  }

  let stopped = false;
  const stopNow = (mode: 'fast' | 'immediate') => {
    if (stopped) return;
    stopped = true;
    const [cmd, args] = asPostgresUser([pgCtl, '-D', data, '-m', mode, '-w', 'stop']);
    spawnSync(cmd, args, { encoding: 'utf8' });
    rmSync(root, { recursive: true, force: true });
  };
  const unregister = onExit(() => stopNow('immediate'));

  const psql = join(bin, 'psql');
  const sql = (statement: string, database = 'postgres') =>
    new Promise<string>((resolve, reject) => {
      execFile(
        psql,
        [
          '-X',
          '-q',
          '-t',
          '-A',
          '-v',
          'ON_ERROR_STOP=1',
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
        ].concat(['-U', 'postgres', '-d', database, '-c', statement]),
        { encoding: 'utf8' },
        (err, stdout, stderr) =>
          err ? reject(new Error(`psql: ${stderr || err.message}`)) : resolve(stdout),
      );
    });
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

  return {
    url: urlFor('postgres'),
    port,
    sql: (statement) => sql(statement),
    async createDatabase(name, template) {
      const db = name ?? `t_${process.pid}_${++counter}_${Date.now().toString(36)}`;
      await sql(`CREATE DATABASE "${db}"${template ? ` TEMPLATE "${template}"` : ''}`);
      return urlFor(db);
    },
    async stop() {
      unregister();
      stopNow('fast');
    },
  };
}
