// The admin's live feed: newest first, one line per run that ended, refusal, connection opened or
// closed, and restart, each with its time.
import '../rooms/rooms.css';
import { formatDuration } from '../format.ts';
import type { ActivityEvent } from './use-activity.ts';

function describe(e: ActivityEvent): { what: string; detail: string; tone: string } {
  switch (e.type) {
    case 'run_finished':
      return {
        what: `run ${e.status}`,
        detail: [
          e.userId,
          e.datasetId,
          formatDuration(e.durationMs),
          e.rowCount === null ? null : `${e.rowCount} rows`,
          e.errorCode,
        ]
          .filter(Boolean)
          .join(' · '),
        tone: e.status === 'completed' ? 'ok' : e.status === 'failed' ? 'bad' : 'warn',
      };
    case 'refused':
      return {
        what: `refused: ${e.reason.replaceAll('_', ' ')}`,
        detail: [e.userId ?? 'anonymous', e.ip, e.target].filter(Boolean).join(' · '),
        tone: 'bad',
      };
    case 'connection_opened':
      return {
        what: 'connected',
        detail: [e.userId ?? 'not signed in', e.ip].join(' · '),
        tone: '',
      };
    case 'connection_closed':
      return {
        what: 'disconnected',
        detail: [e.userId ?? 'not signed in', e.ip, formatDuration(e.durationMs)].join(' · '),
        tone: '',
      };
    case 'restarting':
      return { what: 'restarting', detail: `asked by ${e.by}`, tone: 'warn' };
  }
}

export function ActivityFeed({ events }: { events: ActivityEvent[] }) {
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Live activity</h2>
      {events.length === 0 && <p className="muted">Nothing yet.</p>}
      <ol
        className="activity-feed"
        data-testid="activity-feed"
        aria-labelledby="activity-title"
        aria-live="off"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls on its own, so it must take focus for keyboard users to scroll it (axe: scrollable-region-focusable)
        tabIndex={0}
      >
        {events.map((e) => {
          const { what, detail, tone } = describe(e);
          return (
            <li
              key={e.seq}
              className={`activity activity-${tone}`}
              data-testid="activity"
              data-type={e.type}
            >
              <time dateTime={e.at.toISOString()}>{e.at.toLocaleTimeString()}</time>
              <strong>{what}</strong>
              <span className="muted">{detail}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
