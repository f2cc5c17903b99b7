// Group commit for a better-sqlite3 write: calls made in the same tick share one transaction
// (one WAL commit instead of one each), and each call still succeeds or fails on its own, in a
// savepoint of its own (better-sqlite3 runs a transaction function nested in another as one).
import type Database from 'better-sqlite3';

interface Waiting<I, O> {
  input: I;
  resolve(output: O): void;
  reject(err: unknown): void;
}

export function groupCommit<I, O>(
  sqlite: Database.Database,
  write: (input: I) => O,
): (input: I) => Promise<O> {
  const one = sqlite.transaction(write);
  let group: Waiting<I, O>[] = [];
  const commit = sqlite.transaction((batch: Waiting<I, O>[]) => {
    const settled: (() => void)[] = [];
    for (const call of batch) {
      try {
        const output = one(call.input);
        settled.push(() => call.resolve(output));
      } catch (err) {
        // Some errors (a full disk, an I/O error) end the whole transaction, not just the
        // savepoint: then nothing of the group is stored, and every call fails.
        if (!sqlite.inTransaction) throw err;
        settled.push(() => call.reject(err));
      }
    }
    return settled;
  });
  const flush = () => {
    const batch = group;
    group = [];
    let settled: (() => void)[];
    try {
      settled = commit(batch);
    } catch (err) {
      // The commit itself failed (a full disk, say): nothing of the group is stored.
      for (const call of batch) call.reject(err);
      return;
    }
    for (const settle of settled) settle();
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      // Written once the calls of this tick have joined.
      if (group.length === 0) queueMicrotask(flush);
      group.push({ input, resolve, reject });
    });
}
