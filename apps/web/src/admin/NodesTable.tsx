// The cluster's nodes as the admin page lists them: this one, the others alive, and those gone
// recently, each with its runs against its limit, connections, events and Redis.
import { formatRelative } from '../format.ts';
import type { AdminMetrics } from '../trpc/types.ts';

/** One row per node: this one, the others alive, and those gone recently. */
export function NodesTable({ metrics }: { metrics: AdminMetrics }) {
  return (
    <section aria-labelledby="nodes-title">
      <h2 id="nodes-title">Nodes</h2>
      <div className="table-wrap table-wrap-small">
        <table className="result-table" data-testid="nodes">
          <thead>
            <tr>
              <th>node</th>
              <th>state</th>
              <th>running</th>
              <th>connections</th>
              <th>events / s</th>
              <th>Redis</th>
              <th>up since</th>
            </tr>
          </thead>
          <tbody>
            {metrics.nodes.map((n) => (
              <tr key={n.nodeId} data-testid="node-row">
                <td>
                  {n.nodeId}
                  {n.self && <span className="muted"> (this one)</span>}
                </td>
                <td title={n.seenAt.toISOString()}>
                  {n.alive ? 'up' : `gone ${formatRelative(n.seenAt)}`}
                </td>
                <td title={`at most ${n.peakRunning} at once so far`}>
                  {n.running} / {n.concurrency}
                </td>
                <td>{n.connectionCount}</td>
                <td>{n.eventsPerSecond.toFixed(1)}</td>
                <td>
                  {n.redis === null
                    ? '—'
                    : `${n.redis.up ? 'up' : 'down'}${n.redis.outages ? `, ${n.redis.outages} outage(s)` : ''}`}
                </td>
                <td title={n.startedAt.toISOString()}>{formatRelative(n.startedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
