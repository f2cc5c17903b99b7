import { describe, expect, it } from 'vitest';
import { endpointUrls, reconnectDelayMs } from './urls.ts';

describe('endpointUrls', () => {
  it('derives both endpoints from the server address', () => {
    expect(endpointUrls('http://localhost:3000')).toEqual({
      httpUrl: 'http://localhost:3000/trpc',
      wsUrl: 'ws://localhost:3000/trpc',
    });
    expect(endpointUrls('https://q.example/')).toEqual({
      httpUrl: 'https://q.example/trpc',
      wsUrl: 'wss://q.example/trpc',
    });
  });

  it('keeps a path prefix and does not double /trpc', () => {
    expect(endpointUrls('https://host/querylane/').wsUrl).toBe('wss://host/querylane/trpc');
    expect(endpointUrls('http://[::1]:8080/trpc')).toEqual({
      httpUrl: 'http://[::1]:8080/trpc',
      wsUrl: 'ws://[::1]:8080/trpc',
    });
    expect(endpointUrls('ws://host:1/').httpUrl).toBe('http://host:1/trpc');
  });

  it('says what it expected for something that is not an http URL', () => {
    expect(() => endpointUrls('localhost:3000')).toThrow(/speaks http/);
    expect(() => endpointUrls('not a url')).toThrow(/Not a URL/);
  });
});

describe('reconnectDelayMs', () => {
  it('backs off exponentially and caps the delay', () => {
    expect([0, 1, 2, 3].map(reconnectDelayMs)).toEqual([250, 500, 1000, 2000]);
    expect(reconnectDelayMs(30)).toBe(10_000);
  });
});
