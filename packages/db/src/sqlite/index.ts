// The SQLite history store (the embedded default): every port's adapter over one file.
import type { Stores } from '@querylane/runs';
import { createAuditStore } from './audit-store.ts';
import { openStore, type Store, type StoreOptions } from './client.ts';
import { createCommentStore } from './comment-store.ts';
import { createConversationStore } from './conversation-store.ts';
import { createEventHistory } from './event-history.ts';
import { prepareHotPath } from './hot-path.ts';
import { createRoomHistory } from './room-history.ts';
import { createRoomStore } from './room-store.ts';
import { createRunStore } from './run-store.ts';
import { datasets } from './schema.ts';

export interface SqliteStores extends Stores {
  /** The connection under the adapters, for tests and benches that look at the file itself. */
  readonly store: Store;
}

/** `path` is a file, or ':memory:' for tests. */
export function openSqliteStores(path: string, opts: StoreOptions = {}): SqliteStores {
  const store = openStore(path, opts);
  const { db } = store;
  const hot = prepareHotPath(store.sqlite);
  return {
    store,
    runs: createRunStore(db, hot),
    conversations: createConversationStore(db, hot),
    history: createEventHistory(db, hot),
    audit: createAuditStore(db),
    rooms: createRoomStore(db),
    comments: createCommentStore(db),
    roomHistory: createRoomHistory(db),
    async recordDatasets(list) {
      db.transaction((tx) => {
        for (const row of list) {
          tx.insert(datasets)
            .values(row)
            .onConflictDoUpdate({
              target: datasets.id,
              set: { name: row.name, kind: row.kind, path: row.path, tables: row.tables },
            })
            .run();
        }
      });
    },
    async close() {
      await store.close();
    },
  };
}
