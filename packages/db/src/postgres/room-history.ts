// The durable half of every room's event log over PostgreSQL. Writers on every node share a room,
// so an event takes its seq from the conversation's counter in the statement that stores it: the
// row lock makes concurrent appends consecutive, committed in seq order, and a conversation that
// is gone stores nothing.
import type { RoomEvent, RoomEventInput } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import { NotFoundError, type RoomHistory } from '@querylane/runs';
import { encode } from '../shared/codec.ts';
import type { PgStore } from './client.ts';

const APPEND = `
WITH n AS (
  UPDATE conversations SET room_seq = room_seq + 1 WHERE id = $1 RETURNING id, room_seq)
INSERT INTO room_events (conversation_id, seq, type, payload, at)
SELECT id, room_seq, $2, $3, $4 FROM n
RETURNING seq`;

const SELECT_AFTER = `
SELECT seq, payload, at FROM room_events
WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`;

interface Row {
  seq: number;
  payload: string;
  at: Date;
}

export function createRoomHistory(store: PgStore): RoomHistory {
  const { pool } = store;
  return {
    async append(conversationId, input) {
      const at = new Date();
      const res = await pool.query<{ seq: number }>({
        name: 'ql_room_append',
        text: APPEND,
        values: [conversationId, input.type, encode(input), at],
      });
      const seq = res.rows[0]?.seq;
      if (seq === undefined) throw new NotFoundError('Conversation', conversationId);
      return { ...input, seq, conversationId, at } as RoomEvent;
    },
    async after(conversationId, afterSeq, limit) {
      const res = await pool.query<Row>({
        name: 'ql_room_after',
        text: SELECT_AFTER,
        values: [conversationId, afterSeq, limit],
      });
      return res.rows.map(
        (row) =>
          ({
            ...transformer.parse<RoomEventInput>(row.payload),
            seq: row.seq,
            conversationId,
            at: new Date(row.at),
          }) as RoomEvent,
      );
    },
    async lastSeq(conversationId) {
      const res = await pool.query<{ seq: number }>({
        name: 'ql_room_last',
        text: 'SELECT room_seq AS seq FROM conversations WHERE id = $1',
        values: [conversationId],
      });
      return res.rows[0]?.seq ?? 0;
    },
    async ended(conversationId) {
      // A room has nothing more to say once its conversation is gone.
      const res = await pool.query({
        name: 'ql_room_exists',
        text: 'SELECT 1 FROM conversations WHERE id = $1',
        values: [conversationId],
      });
      return res.rowCount === 0;
    },
  };
}
