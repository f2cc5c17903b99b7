// Holds the history store's write lock until SIGTERM, as another process would (a backup tool, a
// second server pointed at the same folder). Prints "locked" once it holds it.
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
process.on('SIGTERM', () => {
  db.exec('ROLLBACK');
  db.close();
  process.exit(0);
});
setInterval(() => {}, 60_000);
