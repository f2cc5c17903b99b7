import { describe, expect, it } from 'vitest';
import { describeError, isUnreachable } from './errors.ts';

describe('describeError', () => {
  it('prefers the zod issues of a BAD_REQUEST', () => {
    const error = {
      message: '[{"code":"too_big"}]',
      data: {
        code: 'BAD_REQUEST',
        zodError: {
          formErrors: [],
          fieldErrors: { query: ['Queries are at most 100,000 characters'] },
        },
      },
    };
    expect(describeError(error)).toBe('query: Queries are at most 100,000 characters');
  });

  it('falls back to the message', () => {
    expect(describeError({ message: 'Conversation not found', data: { zodError: null } })).toBe(
      'Conversation not found',
    );
    expect(describeError({ message: 'offline' })).toBe('offline');
  });
});

describe('isUnreachable', () => {
  it('knows a failed fetch from an answer of the server', () => {
    expect(isUnreachable({ message: 'Failed to fetch' })).toBe(true);
    expect(isUnreachable({ message: 'x', cause: new TypeError('NetworkError') })).toBe(true);
    expect(isUnreachable({ message: 'Failed to fetch', data: { code: 'BAD_REQUEST' } })).toBe(
      false,
    );
    expect(isUnreachable({ message: 'Too many runs', data: { code: 'TOO_MANY_REQUESTS' } })).toBe(
      false,
    );
  });
});
