// Admin: what the server is doing (metrics, connections, the live activity feed), what it refused
// or changed (audit), a notice to everyone connected, and a graceful restart. Admins only; anyone
// else gets FORBIDDEN.
import { AuditKind, RefusalKind } from '@querylane/contracts';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditAction, countedOnConnection, limitWrites } from '../guards.ts';
import { collectMetrics } from '../services/metrics.ts';
import { adminProcedure } from '../trpc.ts';
import { afterSeqOf, LastEventId, PageLimit } from './schemas.ts';
import { trackSequenced } from './tracking.ts';

export const NoticeText = z.string().trim().min(1, 'The notice is empty').max(500);

export const adminRouter = {
  // Figures of the whole cluster (alive nodes summed), and each node's own.
  metrics: adminProcedure.query(({ ctx }) => collectMetrics(ctx.services)),

  /**
   * Live: every run that ended, refusal, connection opened and closed, and restart, tracked
   * and resumable (`lastEventId`; without it, the latest few first), with the figures of
   * `metrics` whenever they change.
   */
  activity: adminProcedure
    .input(z.object({ lastEventId: LastEventId }).default({}))
    .subscription(async ({ ctx, input, signal }) => {
      const feed = ctx.services.activity;
      const afterSeq = afterSeqOf(input.lastEventId) ?? (await feed.start());
      return countedOnConnection(ctx, trackSequenced(feed.stream(afterSeq, signal), afterSeq));
    }),

  /**
   * Drains as on SIGTERM (clients told to reconnect, running runs get the grace period, waiting
   * runs stay queued), then the server starts again, or the process exits for its supervisor.
   */
  restart: adminProcedure.mutation(async ({ ctx }) => {
    const restarter = ctx.services.restarter;
    if (!restarter) {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: 'This server cannot restart itself: it runs inside another program.',
      });
    }
    const { graceMs, mode } = restarter;
    await auditAction(ctx, 'admin_restart', 'server', { graceMs, mode });
    await ctx.services.activity.record({ type: 'restarting', by: ctx.userId, graceMs });
    if (!restarter.request(ctx.userId)) {
      return { restarting: false as const, reason: 'A restart is under way already.' };
    }
    return { restarting: true as const, graceMs, mode };
  }),

  connections: adminProcedure.query(async ({ ctx }) =>
    (await ctx.services.nodes.list())
      .filter((node) => node.alive)
      .flatMap((node) => node.connections.map((c) => ({ ...c, node: node.nodeId })))
      .sort((a, b) => a.since.getTime() - b.since.getTime()),
  ),

  broadcast: adminProcedure
    .input(z.object({ message: NoticeText }))
    .use(limitWrites)
    .mutation(async ({ ctx, input }) => {
      const auditId = await auditAction(ctx, 'admin_broadcast', 'notices', {
        message: input.message,
      });
      const notice = ctx.services.notices.publish(input.message, ctx.userId, auditId);
      return { id: notice.id, delivered: ctx.services.notices.listenerCount };
    }),

  audit: adminProcedure
    .input(
      z
        .object({
          limit: PageLimit.default(50),
          cursor: z.number().int().positive().nullish(),
          kind: AuditKind.optional(),
          reason: RefusalKind.optional(),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.services.audit.list({
        limit: input.limit + 1,
        ...(input.cursor ? { beforeId: input.cursor } : {}),
        ...(input.kind ? { kind: input.kind } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
      });
      const items = rows.slice(0, input.limit);
      return {
        items,
        nextCursor: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null,
      };
    }),
} satisfies TRPCRouterRecord;
