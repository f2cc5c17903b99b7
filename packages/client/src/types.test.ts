// Type tests: `tsc` (the typecheck task) is what fails them; running them only proves they load.
import type { RouterOutputs } from '@querylane/api';
import { describe, expectTypeOf, it } from 'vitest';
import type { QuerylaneClient } from './client.ts';
import type { RunEndCode } from './errors.ts';
import type { EventOf, Result, RunEvent, RunEventType } from './types.ts';

type Completed = Extract<RunEvent, { type: 'completed' }>;

describe('types from the router', () => {
  it('run() resolves to the result type the router stores for a completed run', () => {
    expectTypeOf<ReturnType<QuerylaneClient['run']>>().toEqualTypeOf<Promise<Result>>();
    expectTypeOf<Result>().toEqualTypeOf<NonNullable<RouterOutputs['runs']['byId']['result']>>();
    expectTypeOf<Result>().toEqualTypeOf<Completed['result']>();
  });

  it('narrows onEvent by type', () => {
    type OnEvent = NonNullable<Parameters<QuerylaneClient['run']>[1]>['onEvent'];
    const onEvent: OnEvent = (e) => {
      expectTypeOf(e).toEqualTypeOf<RunEvent>();
      // @ts-expect-error `result` exists only on a completed event
      void e.result;
      if (e.type === 'completed') {
        expectTypeOf(e.result).toEqualTypeOf<Result>();
        expectTypeOf(e.result.rows).toEqualTypeOf<unknown[][]>();
      } else if (e.type === 'failed') {
        expectTypeOf(e.error.code).toExtend<RunEndCode>();
        expectTypeOf(e.error.hint).toEqualTypeOf<string | undefined>();
      } else if (e.type === 'stage') {
        expectTypeOf(e.progress).toEqualTypeOf<number>();
        expectTypeOf(e.stage).toEqualTypeOf<
          | 'understand'
          | 'plan'
          | 'generate'
          | 'validate'
          | 'execute'
          | 'interpret'
          | 'review'
          | 'finalize'
        >();
      }
      expectTypeOf(e.seq).toEqualTypeOf<number>();
      expectTypeOf(e.at).toEqualTypeOf<Date>();
    };
    void onEvent;
  });

  it('events() yields the same union, and EventOf picks one member', () => {
    type Yielded = ReturnType<QuerylaneClient['events']> extends AsyncIterable<infer T> ? T : never;
    expectTypeOf<Yielded>().toEqualTypeOf<RunEvent>();
    expectTypeOf<EventOf<'cancelled'>['reason']>().toEqualTypeOf<string>();
    expectTypeOf<'completed'>().toExtend<RunEventType>();
    expectTypeOf<'nonsense'>().not.toExtend<RunEventType>();
  });
});
