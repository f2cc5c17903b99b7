// Start → first event latency, through Querylane's real server (the path `client.run()` takes)
// and through a bare `ws` server that answers each request at once.
import { createQuerylaneClient } from '@querylane/client';
import WebSocket from 'ws';
import { percentile } from './report.ts';
import { closeAll, connect, type Host } from './transport.ts';

export interface LatencyFigures {
  p50: number;
  p99: number;
  samples: number;
}

const LATENCY_SQL = 'SELECT count(*) FROM customers';

/**
 * Querylane: `client.run()` (one subscription that starts the run and streams its events over
 * the socket), timed from the call to its first event; each run is followed to its end.
 * `concurrency` runs go at once, `rounds` times.
 */
export async function querylaneLatency(
  host: Pick<Host, 'url'>,
  concurrency: number,
  rounds: number,
): Promise<LatencyFigures> {
  const client = createQuerylaneClient({ url: host.url, WebSocket });
  const timed = async () => {
    const t0 = performance.now();
    let first: number | undefined;
    await client.run(LATENCY_SQL, {
      onEvent: () => {
        first ??= performance.now();
      },
    });
    return (first ?? Number.NaN) - t0;
  };
  try {
    for (let i = 0; i < 5; i++) await timed(); // warm-up
    const samples: number[] = [];
    for (let r = 0; r < rounds; r++) {
      samples.push(...(await Promise.all(Array.from({ length: concurrency }, timed))));
    }
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length };
  } finally {
    await client.close();
  }
}

/** Baseline: one bare socket; each request is answered at once with a `started` event frame. */
export async function rawLatency(
  host: Host,
  concurrency: number,
  rounds: number,
): Promise<LatencyFigures> {
  const socket = await connect(host.wsUrl);
  const waiting = new Map<number, () => void>();
  socket.on('message', (data: Buffer) => {
    const { id } = JSON.parse(data.toString()) as { id: number };
    waiting.get(id)?.();
    waiting.delete(id);
  });
  let next = 0;
  const timed = () => {
    const id = ++next;
    const t0 = performance.now();
    return new Promise<number>((resolve) => {
      waiting.set(id, () => resolve(performance.now() - t0));
      socket.send(String(id));
    });
  };
  try {
    for (let i = 0; i < 5; i++) await timed();
    const samples: number[] = [];
    for (let r = 0; r < rounds; r++) {
      samples.push(...(await Promise.all(Array.from({ length: concurrency }, timed))));
    }
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length };
  } finally {
    await closeAll([socket]);
  }
}
