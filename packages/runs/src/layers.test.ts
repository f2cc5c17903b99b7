// The dependency rule of the design, checked on the sources: apps → api → runs → contracts;
// adapters (db, engine) implement runs' ports; nothing imports upwards; no cycles. Test files
// may reach further (a router test runs over the real SQLite adapter).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** What each package's non-test source may import of ours (type-only imports included). */
const allowed: Record<string, string[]> = {
  contracts: [],
  runs: ['contracts'],
  engine: ['contracts', 'runs'],
  db: ['contracts', 'runs'],
  bus: ['contracts', 'runs'],
  daemons: [],
  api: ['contracts', 'runs'],
  client: ['contracts', 'api'],
  react: ['client'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'testing' || name === 'test' ? [] : sources(path);
    return /\.(ts|tsx|mjs)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function importsOf(pkg: string): Set<string> {
  const found = new Set<string>();
  for (const file of sources(join(root, 'packages', pkg, 'src'))) {
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/from '@querylane\/([a-z-]+)/g)) {
      if (name && name !== pkg) found.add(name);
    }
  }
  return found;
}

it('keeps every package to the imports the design allows', () => {
  const graph = Object.fromEntries(Object.keys(allowed).map((pkg) => [pkg, [...importsOf(pkg)]]));
  for (const [pkg, deps] of Object.entries(graph)) {
    expect({ pkg, extra: deps.filter((d) => !allowed[pkg]?.includes(d)) }).toEqual({
      pkg,
      extra: [],
    });
  }
  expect(graph.contracts).toEqual([]);
  expect(graph.runs).toEqual(['contracts']);
});
