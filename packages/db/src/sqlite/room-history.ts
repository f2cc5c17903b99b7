// The durable half of every room's event log over SQLite. Many writers share a room, so the seq
// is taken in the same statement that stores the event: two appends never get the same one.
import type { RoomEvent, RoomEventInput } from '@querylane/contracts';
import { transformer } from '@querylane/contracts/transformer';
import { NotFoundError, type RoomHistory } from '@querylane/runs';
import { encode } from '../shared/codec.ts';
import { stamp } from '../shared/stamp.ts';
import type { Db } from './client.ts';

interface Row {
  conversation_id: string;
  seq: number;
  payload: string;
  at: number;
}

const decode = (row: Row): RoomEvent =>
  ({
    ...transformer.parse<RoomEventInput>(row.payload),
    seq: row.seq,
    conversationId: row.conversation_id,
    at: new Date(row.at),
  }) as RoomEvent;

const isForeignKeyError = (err: unknown) =>
  (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';

export function createRoomHistory(db: Db): RoomHistory {
  const client = db.$client;
  const insert = client
    .prepare<[string, string, string, number, string], number>(
      'INSERT INTO room_events (conversation_id, seq, type, payload, at) ' +
        'SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ? FROM room_events WHERE conversation_id = ? ' +
        'RETURNING seq',
    )
    .pluck();
  const selectAfter = client.prepare<[string, number, number], Row>(
    'SELECT conversation_id, seq, payload, at FROM room_events ' +
      'WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const selectLast = client
    .prepare<[string], number>(
      'SELECT coalesce(max(seq), 0) FROM room_events WHERE conversation_id = ?',
    )
    .pluck();
  const selectExists = client
    .prepare<[string], number>('SELECT 1 FROM conversations WHERE id = ?')
    .pluck();

  return {
    async append(conversationId, input) {
      const at = stamp();
      let seq: number | undefined;
      try {
        seq = insert.get(conversationId, input.type, encode(input), at.getTime(), conversationId);
      } catch (err) {
        if (isForeignKeyError(err))
          throw new NotFoundError('Conversation', conversationId, { cause: err });
        throw err;
      }
      if (seq === undefined) throw new Error(`room ${conversationId}: the event was not stored`);
      return { ...input, seq, conversationId, at } as RoomEvent;
    },
    async after(conversationId, afterSeq, limit) {
      return selectAfter.all(conversationId, afterSeq, limit).map(decode);
    },
    async lastSeq(conversationId) {
      return selectLast.get(conversationId) ?? 0;
    },
    async ended(conversationId) {
      // A room has nothing more to say once its conversation is gone.
      return selectExists.get(conversationId) === undefined;
    },
  };
}
