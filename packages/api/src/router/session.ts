// Who the caller is (public, so a client can learn that it must sign in), and the live notices
// every signed-in client receives.

import { AsyncQueue } from '@querylane/runs';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { countedOnConnection } from '../guards.ts';
import type { Notice, NoticeBoard } from '../services/notices.ts';
import { protectedProcedure, publicProcedure } from '../trpc.ts';

export const sessionProcedure = publicProcedure.query(({ ctx }) => ({
  authMode: ctx.services.authMode,
  user: ctx.userId ? { id: ctx.userId, role: ctx.role ?? 'user' } : null,
  /** Whether conversations can be shared here, and if not, why (no sign-in). */
  sharing: {
    enabled: ctx.services.rooms.sharingDisabled === null,
    reason: ctx.services.rooms.sharingDisabled,
    maxMembers: ctx.services.rooms.maxMembers,
  },
}));

/** Missed notices after `afterId` (while reconnecting), then live ones, each once. */
async function* streamNotices(board: NoticeBoard, afterId: number, signal?: AbortSignal) {
  const queue = new AsyncQueue<Notice>();
  const unsubscribe = board.subscribe((n) => queue.push(n));
  try {
    let last = afterId;
    for (const notice of board.after(afterId)) {
      yield tracked(String(notice.id), notice);
      last = notice.id;
    }
    for await (const notice of queue.drain(signal)) {
      if (notice.id <= last) continue;
      yield tracked(String(notice.id), notice);
      last = notice.id;
    }
  } finally {
    unsubscribe();
  }
}

export const noticesProcedure = protectedProcedure
  .input(
    z
      .object({
        lastEventId: z
          .string()
          .regex(/^\d{1,15}$/, 'lastEventId is the id of a notice')
          .nullish(),
      })
      .default({}),
  )
  .subscription(({ ctx, input, signal }) => {
    // A first subscribe hears only what comes next; a resumed one also what it missed.
    const after = input.lastEventId ? Number(input.lastEventId) : ctx.services.notices.lastId;
    return countedOnConnection(ctx, streamNotices(ctx.services.notices, after, signal));
  });
