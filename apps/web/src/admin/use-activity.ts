// The admin page's live source: `admin.activity` (resumed by itself after a reconnect or a
// restart), keeping the latest figures it pushes and the newest events for the feed. Parts of the
// page that list things (connections, audit) are told when something they show has changed.
import type { RouterOutputs } from '@querylane/api';
import { useEffect, useRef, useState } from 'react';
import { useTRPCClient } from '../trpc/react.tsx';

type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
type Untracked<T> = T extends { id: string; data: infer D } ? D : T;
export type ActivityItem = Untracked<Yielded<RouterOutputs['admin']['activity']>>;
export type ActivityEvent = Exclude<ActivityItem, { type: 'metrics' }>;
export type LiveMetrics = Extract<ActivityItem, { type: 'metrics' }>['metrics'];

/** Events the feed keeps on screen. */
const KEPT = 200;

export function useActivity(onEvent?: (event: ActivityEvent) => void) {
  const client = useTRPCClient();
  const [metrics, setMetrics] = useState<LiveMetrics | null>(null);
  const [events, setEvents] = useState<ActivityEvent[]>([]);
  const [error, setError] = useState<{ message: string; data?: unknown } | null>(null);
  const listener = useRef(onEvent);
  listener.current = onEvent;

  useEffect(() => {
    let active = true;
    const sub = client.admin.activity.subscribe(
      { lastEventId: null },
      {
        onData: ({ data }) => {
          if (!active) return;
          if (data.type === 'metrics') {
            setMetrics(data.metrics);
            return;
          }
          setEvents((list) => {
            // Ids only grow; one seen before a reconnect is not shown twice.
            if (list.length > 0 && (list[0]?.seq ?? 0) >= data.seq) return list;
            return [data, ...list].slice(0, KEPT);
          });
          listener.current?.(data);
        },
        onError: (err) => {
          if (active) setError(err);
        },
      },
    );
    return () => {
      active = false;
      sub.unsubscribe();
    };
  }, [client]);

  return { metrics, events, error };
}
