// Admin: what the server is doing (metrics, connections), what it refused or changed (audit), and
// a notice to everyone connected. Admins only; anyone else gets FORBIDDEN.
import { AuditKind, RefusalKind } from '@querylane/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditAction } from '../guards.ts';
import { clusterFigures } from '../services/nodes.ts';
import { adminProcedure } from '../trpc.ts';
import { PageLimit } from './schemas.ts';

export const NoticeText = z.string().trim().min(1, 'The notice is empty').max(500);

export const adminRouter = {
  // Figures of the whole cluster (alive nodes summed), and each node's own.
  metrics: adminProcedure.query(async ({ ctx }) => {
    const { services } = ctx;
    const nodes = await services.nodes.list();
    const cluster = clusterFigures(nodes);
    const byStatus = await services.runs.countByStatus();
    const { queued } = await services.runs.stats();
    return {
      at: new Date(),
      nodeId: services.nodes.nodeId,
      uptimeMs: Date.now() - services.startedAt,
      connections: cluster.connections,
      users: cluster.users,
      subscriptions: cluster.subscriptions,
      runs: { byStatus, queued, running: cluster.running },
      // This node's SQL workers.
      workers: services.workers?.stats() ?? null,
      eventsPerSecond: cluster.eventsPerSecond,
      eventsTotal: cluster.eventsTotal,
      refusals: cluster.refusals,
      redis: services.redisHealth(),
      nodes: nodes.map(({ connections: _list, refusals: _refusals, ...node }) => node),
    };
  }),

  connections: adminProcedure.query(async ({ ctx }) =>
    (await ctx.services.nodes.list())
      .filter((node) => node.alive)
      .flatMap((node) => node.connections.map((c) => ({ ...c, node: node.nodeId })))
      .sort((a, b) => a.since.getTime() - b.since.getTime()),
  ),

  broadcast: adminProcedure
    .input(z.object({ message: NoticeText }))
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
