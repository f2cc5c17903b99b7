// Fills a server's history through the public API (the real @querylane/client over a WebSocket),
// the way a person's weeks of work would: conversations with many finished runs.
import { createQuerylaneClient, type QuerylaneClient } from '@querylane/client';
import WebSocket from 'ws';

/** Quick queries over the demo shop with results of different shapes (3 to 36 rows). */
export const SEED_QUERIES = [
  'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category',
  'SELECT channel, count(*) AS orders FROM orders GROUP BY channel ORDER BY orders DESC',
  'SELECT p.category, round(sum(oi.quantity * oi.unit_price), 2) AS revenue FROM order_items oi JOIN products p ON p.id = oi.product_id GROUP BY p.category ORDER BY revenue DESC',
  'SELECT substr(order_date, 1, 7) AS month, count(*) AS orders FROM orders GROUP BY month ORDER BY month',
  'SELECT platform, avg(likes) AS avg_likes, avg(shares) AS avg_shares FROM posts GROUP BY platform',
] as const;

export function seedClient(url: string, token?: string): QuerylaneClient {
  return createQuerylaneClient({ url, WebSocket, ...(token ? { token } : {}) });
}

/**
 * Creates a conversation titled `title` and runs `count` queries in it one after another
 * (cycling through `queries`; asked as questions in plain words when `questions` is set);
 * resolves with the conversation and its run ids, oldest first.
 */
export async function seedConversation(
  client: QuerylaneClient,
  opts: { title: string; count: number; queries?: readonly string[]; questions?: boolean },
): Promise<{ conversationId: string; runIds: string[] }> {
  const queries = opts.queries ?? SEED_QUERIES;
  const conversation = await client.trpc.conversations.create.mutate({ title: opts.title });
  const runIds: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const query = queries[i % queries.length]!;
    const { runId } = await client.trpc.runs.start.mutate({
      ...(opts.questions ? { question: query } : { query }),
      conversationId: conversation.id,
    });
    for await (const _event of client.events(runId)) {
      // Drained to the terminal event: the next run starts once this one is kept.
    }
    runIds.push(runId);
  }
  return { conversationId: conversation.id, runIds };
}
