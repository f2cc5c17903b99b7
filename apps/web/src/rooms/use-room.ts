// Keeps one room current while its conversation is open: the snapshot of `rooms.byId`, then
// every item of `rooms.events` folded in (the stream resumes by itself after a reconnect). Having
// it open is what makes this person present; their keystrokes go out as typing signals.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTRPC, useTRPCClient } from '../trpc/react.tsx';
import { applyRoomItem, type RoomState, roomFromSnapshot } from './room-state.ts';
import { TypingSignal } from './typing-signal.ts';

export interface Room {
  conversationId: string;
  me: string;
  state: RoomState | null;
  /** Whether anyone else could see this room (it is shared): typing is only sent then. */
  shared: boolean;
  /** Call on every keystroke in the room's editor or comment box. */
  typed: () => void;
  /** Call when what was typed was sent, emptied or left. */
  stoppedTyping: () => void;
  problem: string | null;
}

/** The open conversation's room; `conversationId` null (no conversation open) opens none. */
export function useRoom(conversationId: string | null, me: string): Room | null {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const snapshot = useQuery(
    trpc.rooms.byId.queryOptions(
      { conversationId: conversationId ?? '' },
      { enabled: conversationId !== null, staleTime: Number.POSITIVE_INFINITY },
    ),
  );
  const [state, setState] = useState<RoomState | null>(null);
  const [streamError, setStreamError] = useState<string | null>(null);
  const data = conversationId === null ? undefined : snapshot.data;

  useEffect(() => {
    if (!data || conversationId === null) {
      setState(null);
      return;
    }
    setState(roomFromSnapshot(data));
    setStreamError(null);
    let active = true;
    const sub = client.rooms.events.subscribe(
      { conversationId, lastEventId: data.lastEventId },
      {
        onData: ({ data: item }) => {
          if (active) setState((s) => (s ? applyRoomItem(s, item, me) : s));
        },
        onError: (err) => {
          if (active) setStreamError(err.message);
        },
      },
    );
    return () => {
      active = false;
      sub.unsubscribe();
    };
  }, [client, conversationId, data, me]);

  // Someone ran a query here, or renamed it: the thread and the list show it.
  const runs = state?.startedRuns.length ?? 0;
  const renames = state?.renames ?? 0;
  useEffect(() => {
    if (conversationId === null || runs + renames === 0) return;
    void queryClient.invalidateQueries({
      queryKey: trpc.conversations.byId.queryKey({ conversationId }),
    });
    void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.queryKey() });
  }, [runs, renames, queryClient, trpc, conversationId]);

  // Out of the room: the list no longer has it.
  const ended = state?.ended ?? null;
  useEffect(() => {
    if (ended) void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.queryKey() });
  }, [ended, queryClient, trpc]);

  const signal = useMemo(
    () =>
      new TypingSignal((typing) => {
        // A refused start (too soon) is harmless: the indicator is showing already.
        if (conversationId) client.rooms.typing.mutate({ conversationId, typing }).catch(() => {});
      }),
    [client, conversationId],
  );
  useEffect(() => () => signal.stop(), [signal]);

  if (conversationId === null) return null;
  const shared = (state?.members.length ?? 0) > 0;
  return {
    conversationId,
    me,
    state,
    shared,
    typed: () => {
      if (shared && !state?.ended) signal.keystroke();
    },
    stoppedTyping: () => signal.stop(),
    problem: streamError ?? (snapshot.error ? snapshot.error.message : null),
  };
}
