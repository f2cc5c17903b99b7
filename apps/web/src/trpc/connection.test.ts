import { describe, expect, it } from 'vitest';
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
