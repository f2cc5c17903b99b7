// Guards the browser bundle's boundary: the SPA imports only types from the server packages, so
// no server code (Drizzle, better-sqlite3, the engine, node built-ins) may reach dist/. And the
// split: what every page loads first holds neither the SQL editor (CodeMirror) nor the markdown
// renderer (marked, DOMPurify); each is a chunk of its own, loaded when first needed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const assets = join(dist, 'assets');

/** The sources (from its source map) that went into one built file. */
function sourcesOf(file: string): string[] {
  const map = JSON.parse(readFileSync(join(assets, `${file}.map`), 'utf8')) as {
    sources: string[];
  };
  return map.sources;
}

/**
 * The files a page loads before anything else: the entry script of index.html and everything it
 * imports statically, transitively (`import(…)` is left out: that is what loads later).
 */
function initialFiles(): string[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entry = /<script type="module"[^>]* src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error('no entry script in dist/index.html');
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(assets, file), 'utf8');
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.js)["']/g)) visit(m[1]!);
  };
  visit(entry);
  return [...seen];
}

const LAZY = {
  editor: /\/@codemirror\/|\/@lezer\//,
  markdown: /\/(marked|dompurify)\//,
};

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

  it('keeps the SQL editor and the markdown renderer out of what every page loads first', () => {
    const initial = initialFiles();
    expect(initial.some((f) => f.startsWith('index-'))).toBe(true);
    const first = initial.flatMap(sourcesOf);
    expect(first.some((s) => s.includes('/react-dom/'))).toBe(true);
    expect(first.filter((s) => LAZY.editor.test(s) || LAZY.markdown.test(s))).toEqual([]);

    // Each is a chunk of its own, and each chunk holds only its own kind of library.
    const later = readdirSync(assets).filter((f) => f.endsWith('.js') && !initial.includes(f));
    const holding = (re: RegExp) => later.filter((f) => sourcesOf(f).some((s) => re.test(s)));
    const [editor, markdown] = [holding(LAZY.editor), holding(LAZY.markdown)];
    expect(editor).toHaveLength(1);
    expect(markdown).toHaveLength(1);
    expect(editor[0]).toMatch(/^SqlEditor-/);
    expect(markdown[0]).toMatch(/^Answer-/);
    const editorSources = sourcesOf(editor[0]!);
    for (const lib of ['@codemirror/view/', '@codemirror/lang-sql/', '@codemirror/autocomplete/']) {
      expect(editorSources.some((s) => s.includes(`/${lib}`))).toBe(true);
    }
    expect(sourcesOf(markdown[0]!).filter((s) => /\/(marked|dompurify)\//.test(s)).length).toBe(2);
  });
});
