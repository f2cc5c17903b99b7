import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, sameOriginUrls } from './client.ts';
import { toConnectionStatus } from './connection.ts';

describe('toConnectionStatus', () => {
  it('maps the socket states to what the badge says', () => {
    expect(toConnectionStatus({ type: 'state', state: 'pending', error: null })).toBe('connected');
    expect(toConnectionStatus({ type: 'state', state: 'connecting', error: null })).toBe(
      'connecting',
    );
    expect(toConnectionStatus({ type: 'state', state: 'idle', error: null })).toBe('closed');
  });

  it('calls connecting after a lost socket "reconnecting"', () => {
    const error = new Error('closed') as never;
    expect(toConnectionStatus({ type: 'state', state: 'connecting', error })).toBe('reconnecting');
  });
});

describe('client wiring', () => {
  it('backs off exponentially and caps the delay', () => {
    expect([0, 1, 2, 3].map(reconnectDelayMs)).toEqual([250, 500, 1000, 2000]);
    expect(reconnectDelayMs(30)).toBe(10_000);
  });

  it('derives ws and wss from the page protocol', () => {
    expect(sameOriginUrls({ protocol: 'http:', host: 'localhost:5173' })).toEqual({
      httpUrl: '/trpc',
      wsUrl: 'ws://localhost:5173/trpc',
    });
    expect(sameOriginUrls({ protocol: 'https:', host: 'q.example' }).wsUrl).toBe(
      'wss://q.example/trpc',
    );
  });
});
