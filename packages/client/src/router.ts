// The router's type as a client sees it: every procedure with its input, output and error shape,
// rebuilt structurally, without the server's context type and without a single type name from the
// server's packages (whose declarations need zod, drizzle, better-sqlite3…). The declaration file
// is built from this, so a consumer of @querylane/client needs none of them.
import type { AppRouter as ServerRouter } from '@querylane/api';
import type {
  AnyTRPCRootTypes,
  AnyTRPCRouter,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';
import type { TrackedData } from '@trpc/server/unstable-core-do-not-import';

/**
 * Only its inferred return type matters. Its helper types are local to the function, so
 * declaration emit cannot name them and prints every type they produce in full.
 */
function clientView<R extends AnyTRPCRouter>() {
  // biome-ignore lint/suspicious/noConfusingVoidType: `void` is tRPC's input of a procedure without one
  type Passed = string | number | boolean | bigint | symbol | null | undefined | void | Date;
  /**
   * A data type rebuilt with no alias left to name: objects property by property (remapped keys,
   * so no property points back to the server's declaration), arrays element by element, and a
   * union of primitives (a status, a code) wrapped and unwrapped into a new union.
   */
  type Plain<T> = [T] extends [Passed | Uint8Array] ? Unwrap<Fresh<T>> : Each<T>;
  type Fresh<T> = T extends unknown ? [T] : never;
  type Unwrap<T> = T extends [infer X] ? X : never;
  type Each<T> = T extends Passed | Uint8Array
    ? T
    : unknown extends T
      ? T
      : T extends readonly (infer E)[]
        ? Plain<E>[]
        : { [K in keyof T as `${K & string}`]: Plain<T[K]> };
  type Yielded<T> = T extends TrackedData<infer D> ? TrackedData<Plain<D>> : Plain<T>;
  type Output<T> =
    T extends AsyncIterable<infer Y, infer Return, infer Next>
      ? AsyncIterable<Yielded<Y>, Return, Next>
      : Plain<T>;
  type Def<D> = {
    [K in keyof D]: K extends 'input' | 'errorShape'
      ? Plain<D[K]>
      : K extends 'output'
        ? Output<D[K]>
        : D[K];
  };
  /** The server's root types without `ctx`, which names every service of the server. */
  type Root<T extends AnyTRPCRootTypes> = {
    ctx: object;
    meta: T['meta'];
    errorShape: Plain<T['errorShape']>;
    transformer: T['transformer'];
  };
  /** A procedure, or a nested record of them (what a domain router became in its parent). */
  type View<P> =
    P extends TRPCQueryProcedure<infer D>
      ? TRPCQueryProcedure<Def<D>>
      : P extends TRPCMutationProcedure<infer D>
        ? TRPCMutationProcedure<Def<D>>
        : P extends TRPCSubscriptionProcedure<infer D>
          ? TRPCSubscriptionProcedure<Def<D>>
          : { [K in keyof P]: View<P[K]> };
  type Router<T extends AnyTRPCRouter> = TRPCBuiltRouter<
    Root<T['_def']['_config']['$types']>,
    { [K in keyof T['_def']['record']]: View<T['_def']['record'][K]> }
  >;
  return undefined as unknown as Router<R>;
}

const router = clientView<ServerRouter>();

/** Querylane's router, for `TRPCClient<AppRouter>` and tRPC's React bindings. */
export type AppRouter = typeof router;
