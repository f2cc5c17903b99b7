// The only place the CLI reads process.env: where the server is and how to sign in to it.
import { z } from 'zod';

// `QUERYLANE_TOKEN= querylane …` means "no token", as shells and CI configs use it.
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);

export const Env = z.object({
  /** The server's address; `--url` wins over it. */
  QUERYLANE_URL: z.preprocess(unsetIfEmpty, z.string().default('http://127.0.0.1:3000')),
  /** Sent as a bearer token when given; `--token` wins over it. */
  QUERYLANE_TOKEN: z.preprocess(unsetIfEmpty, z.string().optional()),
  /** Set (to anything but empty) to print stack traces of unexpected errors. */
  QUERYLANE_DEBUG: z.preprocess(unsetIfEmpty, z.string().optional()),
});
export type Env = z.infer<typeof Env>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
