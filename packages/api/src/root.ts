// The app router: every domain router joined, plus the public health check.
import { conversationsRouter } from './router/conversations.ts';
import { datasetsRouter } from './router/datasets.ts';
import { runsRouter } from './router/runs.ts';
import { createTRPCRouter, publicProcedure } from './trpc.ts';

export const appRouter = createTRPCRouter({
  health: publicProcedure.query(({ ctx }) => ({
    ok: true as const,
    version: ctx.services.version,
    uptimeMs: Date.now() - ctx.services.startedAt,
  })),
  runs: createTRPCRouter(runsRouter),
  conversations: createTRPCRouter(conversationsRouter),
  datasets: createTRPCRouter(datasetsRouter),
});

export type AppRouter = typeof appRouter;
