// What the SQL editor completes from the dataset's schema: tables, `table.` and `alias.`
// columns (CodeMirror's SQL language does these from the namespace), and the bare columns of
// the tables the statement already names, which a namespace alone cannot know.
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import type { SQLNamespace } from '@codemirror/lang-sql';
import type { DatasetSchema } from '../trpc/types.ts';

/** `{ table: [columns] }` with each column's type as its detail. */
export function schemaNamespace(schema: DatasetSchema | undefined): SQLNamespace {
  const namespace: Record<string, Completion[]> = {};
  for (const table of schema?.tables ?? []) {
    namespace[table.name] = table.columns.map((c) => ({
      label: c.name,
      type: 'property',
      detail: c.type.toLowerCase(),
    }));
  }
  return namespace;
}

/** The tables a statement reads (after FROM or JOIN), as they are named in the schema. */
export function tablesNamed(sql: string, schema: DatasetSchema | undefined): string[] {
  const names = new Map((schema?.tables ?? []).map((t) => [t.name.toLowerCase(), t.name]));
  const found = new Set<string>();
  for (const m of sql.matchAll(/\b(?:from|join)\s+["`[]?(\w+)/gi)) {
    const name = names.get((m[1] ?? '').toLowerCase());
    if (name) found.add(name);
  }
  return [...found];
}

/** Completes a bare word with the columns of the tables the statement names. */
export function columnsInScope(getSchema: () => DatasetSchema | undefined) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/\w+/);
    // Right after a dot CodeMirror's own source completes that table's (or alias's) columns.
    if (!word || (word.from > 0 && context.state.sliceDoc(word.from - 1, word.from) === '.')) {
      return null;
    }
    if (word.from === word.to && !context.explicit) return null;
    const schema = getSchema();
    const tables = tablesNamed(context.state.doc.toString(), schema);
    if (tables.length === 0) return null;
    const options: Completion[] = [];
    for (const table of schema?.tables ?? []) {
      if (!tables.includes(table.name)) continue;
      for (const c of table.columns) {
        options.push({
          label: c.name,
          type: 'property',
          detail:
            tables.length > 1 ? `${table.name} · ${c.type.toLowerCase()}` : c.type.toLowerCase(),
          boost: 1,
        });
      }
    }
    return { from: word.from, options, validFor: /^\w*$/ };
  };
}
