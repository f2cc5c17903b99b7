// The contract every room log keeps (store history + in-process channel now; Redis next): from
// any seq, each event once and in order, also with several writers at once; a deleted room ends
// every reader with its `deleted` event.
import type { RoomEvent, RoomEventInput } from '@querylane/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationStore, RoomLog } from '../ports.ts';

export interface RoomLogFixture {
  log: RoomLog;
  /** Where the rooms' conversations live, for creating and deleting them. */
  conversations: ConversationStore;
  close(): Promise<void>;
}

const renamed = (title: string): RoomEventInput => ({ type: 'renamed', title, by: 'u1' });

async function seqs(events: AsyncIterable<RoomEvent>): Promise<number[]> {
  const seen: number[] = [];
  for await (const event of events) seen.push(event.seq);
  return seen;
}

export function describeRoomLog(name: string, open: () => Promise<RoomLogFixture>) {
  describe(`room log contract: ${name}`, () => {
    let fx: RoomLogFixture;
    beforeEach(async () => {
      fx = await open();
      await fx.conversations.create({ id: 'c1', userId: 'u1', title: 't' });
    });
    afterEach(async () => {
      await fx.close();
    });

    it('replays from any seq, then follows live writers to the end, each seq once', async () => {
      for (const t of ['a', 'b', 'c']) await fx.log.append('c1', renamed(t));
      const controller = new AbortController();
      const readers = [0, 2, 3].map((after) => seqs(fx.log.read('c1', after, controller.signal)));
      // Ten writers at once, as members of one room write.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => fx.log.append('c1', renamed(`w${i}`))),
      );
      const end = await fx.log.append('c1', { type: 'deleted', by: 'u1' });
      expect(end.seq).toBe(14);
      const all = Array.from({ length: 14 }, (_, i) => i + 1);
      expect(await Promise.all(readers)).toEqual([all, all.slice(2), all.slice(3)]);
      expect(fx.log.listenerCount('c1')).toBe(0);
      expect(await fx.log.lastSeq('c1')).toBe(14);
    });

    it('hands over from the backlog to live events with no gap', async () => {
      await fx.log.append('c1', renamed('a'));
      const stream = fx.log.read('c1', 0)[Symbol.asyncIterator]();
      const seen: number[] = [];
      const first = await stream.next();
      if (!first.done) seen.push(first.value.seq);
      await fx.log.append('c1', renamed('b'));
      await fx.log.append('c1', renamed('c'));
      await fx.log.append('c1', { type: 'deleted', by: 'u1' });
      for (let next = await stream.next(); !next.done; next = await stream.next()) {
        seen.push(next.value.seq);
      }
      expect(seen).toEqual([1, 2, 3, 4]);
    });

    it('stops tailing when the reader aborts, and a gone room has nothing to read', async () => {
      const controller = new AbortController();
      const seen: string[] = [];
      const reading = (async () => {
        for await (const event of fx.log.read('c1', 0, controller.signal)) {
          if (event.type === 'renamed') seen.push(event.title);
          if (seen.length === 2) controller.abort();
        }
      })();
      await fx.log.append('c1', renamed('a'));
      await fx.log.append('c1', renamed('b'));
      await reading;
      expect(seen).toEqual(['a', 'b']);
      expect(fx.log.listenerCount('c1')).toBe(0);
      expect(await fx.conversations.delete('u1', 'c1')).toBe(true);
      expect(await seqs(fx.log.read('c1', 0))).toEqual([]);
      await expect(fx.log.append('c1', renamed('c'))).rejects.toThrow();
    });
  });
}
