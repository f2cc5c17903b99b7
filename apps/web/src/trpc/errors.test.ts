import { describe, expect, it } from 'vitest';
import { describeError } from './errors.ts';

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
