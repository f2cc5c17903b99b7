// The app router: every domain router joined, plus the public health check and session.
import { adminRouter } from './router/admin.ts';
import { commentsRouter } from './router/comments.ts';
import { conversationsRouter } from './router/conversations.ts';
import { datasetsRouter } from './router/datasets.ts';
import { metaRouter } from './router/meta.ts';
import { roomsRouter } from './router/rooms.ts';
import { runsRouter } from './router/runs.ts';
import { noticesProcedure, sessionProcedure } from './router/session.ts';
import { createTRPCRouter, publicProcedure } from './trpc.ts';

export const appRouter = createTRPCRouter({
  health: publicProcedure.query(({ ctx }) => ({
    ok: true as const,
    version: ctx.services.version,
    uptimeMs: Date.now() - ctx.services.startedAt,
  })),
  session: sessionProcedure,
  notices: noticesProcedure,
  runs: createTRPCRouter(runsRouter),
  conversations: createTRPCRouter(conversationsRouter),
  rooms: createTRPCRouter(roomsRouter),
  comments: createTRPCRouter(commentsRouter),
  datasets: createTRPCRouter(datasetsRouter),
  admin: createTRPCRouter(adminRouter),
  meta: createTRPCRouter(metaRouter),
});

export type AppRouter = typeof appRouter;
