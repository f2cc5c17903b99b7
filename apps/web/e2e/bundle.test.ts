// Guards the browser bundle's boundary: the SPA imports only types from the server packages, so
// no server code (Drizzle, better-sqlite3, the engine, node built-ins) may reach dist/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const assets = fileURLToPath(new URL('../dist/assets', import.meta.url));

function bundle(): { code: string; sources: string[] } {
  if (!existsSync(assets)) throw new Error(`${assets} is missing: build the SPA first`);
  const files = readdirSync(assets);
  const code = files
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(assets, f), 'utf8'))
    .join('\n');
  const sources = files
    .filter((f) => f.endsWith('.js.map'))
    .flatMap(
      (f) => (JSON.parse(readFileSync(join(assets, f), 'utf8')) as { sources: string[] }).sources,
    );
  return { code, sources };
}

describe('the built SPA', () => {
  it('bundles no server code', () => {
    const { code, sources } = bundle();
    expect(sources.length).toBeGreaterThan(10);
    const repoSources = sources.filter((s) => s.includes('/packages/'));
    // Runtime code from the repo's packages: the client and React packages, and from the
    // contracts only the zod-free sets, predicates and limits, the CSV cell rules and the transformer (the
    // schemas, and zod with them, stay out).
    const fromPackages = repoSources.map((s) => s.replace(/^.*\/packages\//, ''));
    const ours = (s: string) => s.startsWith('client/src/') || s.startsWith('react/src/');
    expect(fromPackages.filter((s) => !ours(s)).sort()).toEqual([
      'contracts/src/csv.ts',
      'contracts/src/room-sets.ts',
      'contracts/src/sets.ts',
      'contracts/src/transformer.ts',
    ]);
    expect(fromPackages).toContain('client/src/client.ts');
    expect(fromPackages).toContain('react/src/use-run.ts');
    const forbidden = sources.filter((s) => /drizzle-orm|better-sqlite3|\/zod\/|\/ws\//.test(s));
    expect(forbidden).toEqual([]);
    expect(code).not.toMatch(/(?:from|import\()\s*["']node:/);
    expect(code).not.toMatch(/require\(["'](?:fs|path|worker_threads|crypto)["']\)/);
  });
});
