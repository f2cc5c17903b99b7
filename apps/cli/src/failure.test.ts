import { QuerylaneRunError } from '@querylane/client';
import { describe, expect, it } from 'vitest';
import { explain, networkProblem, UsageError } from './failure.ts';
import { jsonError } from './json-error.ts';

const ctx = { url: 'http://127.0.0.1:3000', interrupted: false, debug: false };

describe('explain', () => {
  it('prints a failed run with its code, hint and run id, exit 1', () => {
    const err = new QuerylaneRunError({
      code: 'SQL_SYNTAX',
      message: 'no such table: nope',
      hint: 'Available tables: orders.',
      runId: 'r1',
    });
    const explained = explain(err, ctx);
    expect(explained).toEqual({
      code: 'SQL_SYNTAX',
      message: 'no such table: nope',
      hint: 'Available tables: orders.',
      runId: 'r1',
      text: 'SQL_SYNTAX: no such table: nope\n  hint: Available tables: orders.\n  run r1',
      exitCode: 1,
    });
    expect(JSON.parse(jsonError(explained))).toEqual({
      error: {
        code: 'SQL_SYNTAX',
        message: 'no such table: nope',
        hint: 'Available tables: orders.',
        runId: 'r1',
        exitCode: 1,
      },
    });
  });

  it('exits 130 for a run cancelled by Ctrl+C and 1 for one cancelled elsewhere', () => {
    const err = new QuerylaneRunError({ code: 'CANCELLED', message: 'x', runId: 'r2' });
    expect(explain(err, { ...ctx, interrupted: true })).toMatchObject({
      code: 'CANCELLED',
      text: 'cancelled (run r2)',
      exitCode: 130,
    });
    expect(explain(err, ctx).exitCode).toBe(1);
  });

  it('finds a refused connection under fetch’s wrapping, exit 3', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), {
      code: 'ECONNREFUSED',
    });
    const err = new Error('fetch failed', {
      cause: new TypeError('fetch failed', { cause: refused }),
    });
    expect(networkProblem(err)).toBe('ECONNREFUSED');
    expect(explain(err, ctx).exitCode).toBe(3);
    expect(explain(err, ctx).text).toMatch(/^cannot reach the Querylane server at http:\/\/127/);
    expect(explain(err, ctx).code).toBe('UNREACHABLE');
    expect(networkProblem(new AggregateError([refused]))).toBe('ECONNREFUSED');
    expect(networkProblem(new Error('boom'))).toBeUndefined();
  });

  it('reads a tRPC error by its code and zod issues; anything else without a stack', () => {
    const badRequest = Object.assign(new Error('[{"code":"too_big"}]'), {
      data: {
        code: 'BAD_REQUEST',
        zodError: { formErrors: [], fieldErrors: { query: ['Too long'] } },
      },
    });
    expect(explain(badRequest, ctx)).toEqual({
      code: 'BAD_REQUEST',
      message: 'query: Too long',
      text: 'BAD_REQUEST: query: Too long',
      exitCode: 1,
    });
    expect(explain(new Error('odd'), ctx)).toEqual({
      code: 'UNEXPECTED',
      message: 'odd',
      text: 'unexpected error: odd',
      exitCode: 1,
    });
    expect(explain(new Error('odd'), { ...ctx, debug: true }).text).toMatch(/\n\s+at /);
    expect(explain(new UsageError('--token-file t is empty.'), ctx)).toMatchObject({
      code: 'USAGE',
      exitCode: 2,
    });
  });
});
