// The admin's activity feed over PostgreSQL, shared by every node: each event takes the next seq
// of its feed from a counter row (locked by the upsert, so concurrent appends commit in seq order
// and readers never skip one), and the feed keeps a window of its newest events.
import type { ActivityEvent, ActivityEventInput } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import type { ActivityHistory } from '@querylane/runs';
import { encode } from '../shared/codec.ts';
import type { PgStore } from './client.ts';

const APPEND = `
WITH n AS (
  INSERT INTO feed_heads (key, seq) VALUES ($1, 1)
  ON CONFLICT (key) DO UPDATE SET seq = feed_heads.seq + 1
  RETURNING seq)
INSERT INTO feed_events (key, seq, type, payload, at)
SELECT $1, seq, $2, $3, $4 FROM n
RETURNING seq`;

const SELECT_AFTER = `
SELECT seq, payload, at FROM feed_events WHERE key = $1 AND seq > $2 ORDER BY seq LIMIT $3`;

/** Every this many events, what fell out of the window is deleted. */
const TRIM_EVERY = 100;

export function createFeedHistory(
  store: PgStore,
  opts: { window: number; log: (message: string, err?: unknown) => void },
): ActivityHistory {
  const { pool } = store;
  return {
    async append(key, input) {
      const at = new Date();
      const res = await pool.query<{ seq: string }>({
        name: 'ql_feed_append',
        text: APPEND,
        values: [key, input.type, encode(input), at],
      });
      const seq = Number(res.rows[0]?.seq);
      if (!Number.isSafeInteger(seq)) throw new Error(`feed ${key}: the event was not stored`);
      if (seq % TRIM_EVERY === 0) {
        await pool
          .query('DELETE FROM feed_events WHERE key = $1 AND seq <= $2', [key, seq - opts.window])
          .catch((err: unknown) => opts.log(`feed ${key}: trimming its window failed`, err));
      }
      return { ...input, seq, at } as ActivityEvent;
    },
    async after(key, afterSeq, limit) {
      const res = await pool.query<{ seq: string; payload: string; at: Date }>({
        name: 'ql_feed_after',
        text: SELECT_AFTER,
        values: [key, afterSeq, limit],
      });
      return res.rows.map(
        (row) =>
          ({
            ...transformer.parse<ActivityEventInput>(row.payload),
            seq: Number(row.seq),
            at: new Date(row.at),
          }) as ActivityEvent,
      );
    },
    async lastSeq(key) {
      const res = await pool.query<{ seq: string }>({
        name: 'ql_feed_last',
        text: 'SELECT seq FROM feed_heads WHERE key = $1',
        values: [key],
      });
      return Number(res.rows[0]?.seq ?? 0);
    },
    async ended() {
      return false;
    },
  };
}
