// Admin: what the server is doing (metrics, connections), what it refused or changed (audit), and
// a notice to everyone connected. Admins only; anyone else gets FORBIDDEN.
import { AuditKind, RefusalKind } from '@querylane/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditAction, limitWrites } from '../guards.ts';
import { adminProcedure } from '../trpc.ts';
import { PageLimit } from './schemas.ts';

export const NoticeText = z.string().trim().min(1, 'The notice is empty').max(500);

export const adminRouter = {
  metrics: adminProcedure.query(async ({ ctx }) => {
    const { services } = ctx;
    const live = [...services.connections.live];
    const byStatus = await services.runs.countByStatus();
    return {
      at: new Date(),
      uptimeMs: Date.now() - services.startedAt,
      connections: live.length,
      users: new Set(live.flatMap((c) => (c.identity ? [c.identity.userId] : []))).size,
      subscriptions: live.reduce((n, c) => n + c.subscriptions, 0),
      runs: { byStatus, ...(await services.runs.stats()) },
      workers: services.workers?.stats() ?? null,
      eventsPerSecond: services.eventRate.perSecond(),
      eventsTotal: services.eventRate.total,
      refusals: services.audit.refusals,
    };
  }),

  connections: adminProcedure.query(({ ctx }) =>
    [...ctx.services.connections.live]
      .map((c) => ({
        id: c.id,
        transport: c.transport,
        userId: c.identity?.userId ?? null,
        role: c.identity?.role ?? null,
        ip: c.ip,
        since: c.since,
        subscriptions: c.subscriptions,
      }))
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
