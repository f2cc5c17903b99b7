// The admin page: live figures of the whole cluster and its nodes, and a live activity feed,
// both pushed by `admin.activity` (no polling), who is connected and the audit log (fetched again
// when the feed says they changed), a notice to everyone, and a graceful restart.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ActivityFeed } from '../admin/ActivityFeed.tsx';
import { NodesTable } from '../admin/NodesTable.tsx';
import { type ActivityEvent, useActivity } from '../admin/use-activity.ts';
import { formatRelative } from '../format.ts';
import { describeError } from '../trpc/errors.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { AdminMetrics, AuditEntry } from '../trpc/types.ts';

export default function AdminPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onEvent = (e: ActivityEvent) => {
    if (e.type === 'connection_opened' || e.type === 'connection_closed') {
      void queryClient.invalidateQueries({ queryKey: trpc.admin.connections.queryKey() });
    } else if (e.type === 'refused' || e.type === 'restarting') {
      void queryClient.invalidateQueries({ queryKey: trpc.admin.audit.pathKey() });
    }
  };
  const { metrics, events, error } = useActivity(onEvent);
  if (error) {
    return (
      <div className="admin">
        <h1>Admin</h1>
        <p className="inline-error" role="alert">
          {describeError(error)}
        </p>
      </div>
    );
  }
  return (
    <div className="admin" data-testid="admin-page">
      <h1>Admin</h1>
      {metrics ? <MetricsPanel metrics={metrics} /> : <p className="muted">Loading…</p>}
      {metrics && <NodesTable metrics={metrics} />}
      <ActivityFeed events={events} />
      <BroadcastForm />
      <ConnectionsTable />
      <AuditLog />
      <RestartServer />
    </div>
  );
}

function RestartServer() {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const restart = useMutation(trpc.admin.restart.mutationOptions());
  return (
    <section aria-labelledby="restart-title">
      <h2 id="restart-title">Restart</h2>
      <p className="muted small">
        Clients are told to reconnect, running runs get the grace period to finish, waiting runs
        stay queued; everyone resumes where they were once the server is back.
      </p>
      {confirming ? (
        <div className="dialog-actions">
          <button
            type="button"
            className="btn btn-danger"
            disabled={restart.isPending}
            onClick={() => restart.mutate()}
            data-testid="restart-confirm"
          >
            Restart now
          </button>
          <button type="button" className="btn" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="btn" onClick={() => setConfirming(true)}>
          Restart the server…
        </button>
      )}
      {restart.data && (
        <p className="muted small" data-testid="restart-result">
          {restart.data.restarting
            ? `Restarting (${restart.data.mode === 'self' ? 'in place' : 'through the supervisor'}).`
            : restart.data.reason}
        </p>
      )}
      {restart.error && <p className="inline-error">{describeError(restart.error)}</p>}
    </section>
  );
}

function Figure(props: { label: string; value: string | number; testId: string }) {
  return (
    <div className="figure">
      <span className="figure-value" data-testid={props.testId}>
        {props.value}
      </span>
      <span className="figure-label">{props.label}</span>
    </div>
  );
}

function MetricsPanel({ metrics }: { metrics: AdminMetrics }) {
  const refusals = Object.entries(metrics.refusals).filter(([, n]) => n > 0);
  return (
    <section aria-labelledby="metrics-title">
      <h2 id="metrics-title">Now</h2>
      <div className="figures">
        <Figure label="connections" value={metrics.connections} testId="metric-connections" />
        <Figure label="users" value={metrics.users} testId="metric-users" />
        <Figure label="subscriptions" value={metrics.subscriptions} testId="metric-subscriptions" />
        <Figure
          label="events / s"
          value={metrics.eventsPerSecond.toFixed(1)}
          testId="metric-events"
        />
        <Figure label="running" value={metrics.runs.running} testId="metric-running" />
        <Figure label="queued" value={metrics.runs.queued} testId="metric-queued" />
        <Figure label="rooms open" value={metrics.rooms?.rooms ?? '—'} testId="metric-rooms" />
      </div>
      <div className="admin-columns">
        <table className="mini-table" data-testid="runs-by-status">
          <caption>Runs by status</caption>
          <tbody>
            {Object.entries(metrics.runs.byStatus).map(([status, n]) => (
              <tr key={status}>
                <th scope="row">{status}</th>
                <td className="mini-value">{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="mini-table" data-testid="refusals">
          <caption>Refusals since start</caption>
          <tbody>
            {refusals.length === 0 && (
              <tr>
                <td className="muted">none</td>
              </tr>
            )}
            {refusals.map(([kind, n]) => (
              <tr key={kind}>
                <th scope="row">{kind.replaceAll('_', ' ')}</th>
                <td className="mini-value">{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function BroadcastForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState('');
  const send = useMutation(
    trpc.admin.broadcast.mutationOptions({
      onSuccess: () => {
        setMessage('');
        void queryClient.invalidateQueries({ queryKey: trpc.admin.audit.pathKey() });
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (message.trim()) send.mutate({ message });
  };
  return (
    <section aria-labelledby="broadcast-title">
      <h2 id="broadcast-title">Notice to everyone</h2>
      <form className="broadcast" onSubmit={submit}>
        <input
          aria-label="Notice"
          placeholder="Shown as a banner to every connected client"
          maxLength={500}
          value={message}
          onChange={(e) => setMessage(e.currentTarget.value)}
        />
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!message.trim() || send.isPending}
        >
          Send
        </button>
      </form>
      {send.data && (
        <p className="muted small" data-testid="broadcast-result">
          Delivered to {send.data.delivered} {send.data.delivered === 1 ? 'client' : 'clients'}.
        </p>
      )}
      {send.error && <p className="inline-error">{describeError(send.error)}</p>}
    </section>
  );
}

function ConnectionsTable() {
  const trpc = useTRPC();
  // Fetched again whenever the activity feed reports a connection opened or closed.
  const list = useQuery(trpc.admin.connections.queryOptions());
  return (
    <section aria-labelledby="connections-title">
      <h2 id="connections-title">Connections</h2>
      <div className="table-wrap table-wrap-small">
        <table className="result-table" data-testid="connections">
          <thead>
            <tr>
              <th>user</th>
              <th>node</th>
              <th>address</th>
              <th>since</th>
              <th>subscriptions</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.map((c) => (
              <tr key={`${c.node}/${c.id}`}>
                <td>{c.userId ?? <span className="muted">not signed in</span>}</td>
                <td>{c.node}</td>
                <td>{c.ip}</td>
                <td title={c.since.toISOString()}>{formatRelative(c.since)}</td>
                <td>{c.subscriptions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function describeAudit(entry: AuditEntry): string {
  const detail = entry.detail
    ? Object.entries(entry.detail)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ')
    : '';
  return [entry.target, detail].filter(Boolean).join(' — ');
}

function AuditLog() {
  const trpc = useTRPC();
  const audit = useInfiniteQuery(
    trpc.admin.audit.infiniteQueryOptions(
      { limit: 25 },
      // Fetched again whenever the activity feed reports a refusal.
      { getNextPageParam: (last) => last.nextCursor },
    ),
  );
  const rows = audit.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <div className="table-wrap table-wrap-small">
        <table className="result-table" data-testid="audit-log">
          <thead>
            <tr>
              <th>when</th>
              <th>what</th>
              <th>user</th>
              <th>address</th>
              <th>details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="audit-row">
                <td title={r.at.toISOString()}>{formatRelative(r.at)}</td>
                <td>{r.reason ? `${r.kind}: ${r.reason}` : r.kind}</td>
                <td>{r.userId ?? '—'}</td>
                <td>{r.ip ?? '—'}</td>
                <td>{describeAudit(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && !audit.isPending && <p className="muted">Nothing recorded yet.</p>}
      {audit.hasNextPage && (
        <button
          type="button"
          className="btn btn-small"
          disabled={audit.isFetchingNextPage}
          onClick={() => void audit.fetchNextPage()}
        >
          Older entries
        </button>
      )}
    </section>
  );
}
