// The contract every presence keeps (in-process now; Redis next): each user once however many
// sessions, leaving and expiry both drop them, typing comes and goes, and watchers hear each
// change of a room's state once, for that room only.
import type { RoomPresence } from '@querylane/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Presence } from '../ports.ts';

const HOUR = 3_600_000;
const until = (check: () => unknown) => vi.waitFor(check, { timeout: 10_000, interval: 10 });

export function describePresence(name: string, open: () => Promise<Presence>) {
  describe(`presence contract: ${name}`, () => {
    let presence: Presence;
    beforeEach(async () => {
      presence = await open();
    });
    afterEach(async () => {
      await presence.close();
    });

    it('counts a user with two sessions once, until their last session leaves', async () => {
      const seen: RoomPresence[] = [];
      const off = presence.watch('r1', (s) => seen.push(s));
      await presence.heartbeat('r1', { sessionId: 's1', userId: 'ana' }, HOUR);
      await presence.heartbeat('r1', { sessionId: 's2', userId: 'ana' }, HOUR);
      await presence.heartbeat('r1', { sessionId: 's3', userId: 'bo' }, HOUR);
      await presence.heartbeat('r1', { sessionId: 's3', userId: 'bo' }, HOUR); // a renewal
      await presence.heartbeat('r2', { sessionId: 's4', userId: 'cy' }, HOUR);
      expect(await presence.list('r1')).toEqual({ present: ['ana', 'bo'], typing: [] });
      await presence.leave('r1', 's1');
      expect((await presence.list('r1')).present).toEqual(['ana', 'bo']);
      await presence.leave('r1', 's2');
      await presence.leave('r1', 'never-there');
      expect((await presence.list('r1')).present).toEqual(['bo']);
      await until(() =>
        expect(seen.map((s) => s.present)).toEqual([['ana'], ['ana', 'bo'], ['bo']]),
      );
      off();
      await presence.leave('r1', 's3');
      expect(seen).toHaveLength(3);
      expect(await presence.stats()).toEqual({ rooms: 1, sessions: 1 });
    });

    it('drops a session whose heartbeat stopped once its time is up', async () => {
      const seen: RoomPresence[] = [];
      presence.watch('r1', (s) => seen.push(s));
      await presence.heartbeat('r1', { sessionId: 'gone', userId: 'ana' }, 150);
      await presence.heartbeat('r1', { sessionId: 'kept', userId: 'bo' }, HOUR);
      await until(() => expect(seen.at(-1)?.present).toEqual(['bo']));
      expect(seen.map((s) => s.present)).toEqual([['ana'], ['ana', 'bo'], ['bo']]);
      expect(await presence.list('r1')).toEqual({ present: ['bo'], typing: [] });
    });

    it('shows typing until it stops, runs out, or the typist leaves', async () => {
      const seen: RoomPresence[] = [];
      presence.watch('r1', (s) => seen.push(s));
      await presence.heartbeat('r1', { sessionId: 's1', userId: 'ana' }, HOUR);
      await presence.heartbeat('r1', { sessionId: 's2', userId: 'bo' }, HOUR);
      await presence.typing('r1', 'ana', HOUR);
      await presence.typing('r1', 'ana', HOUR); // still typing: nothing new to tell
      await presence.typing('r1', 'bo', 150);
      expect((await presence.list('r1')).typing).toEqual(['ana', 'bo']);
      await until(() => expect(seen.at(-1)?.typing).toEqual(['ana']));
      await presence.typing('r1', 'ana', null);
      await presence.typing('r1', 'bo', HOUR);
      await presence.leave('r1', 's2');
      expect(await presence.list('r1')).toEqual({ present: ['ana'], typing: [] });
      expect(seen.map((s) => s.typing)).toEqual([
        [],
        [],
        ['ana'],
        ['ana', 'bo'],
        ['ana'],
        [],
        ['bo'],
        [],
      ]);
    });
  });
}
