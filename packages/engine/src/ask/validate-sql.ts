// Validates generated SQL before it runs: one read-only statement (the SQL pipeline's screen),
// every table and every qualified column exists (a miss names the nearest real one), and the
// statement compiles — through an injected function, so compiling can move into the SQL worker.
import { QueryError } from '../errors.ts';
import { screenSql } from '../sql-check.ts';
import type { SemanticModel } from './model.ts';
import { nearest } from './words.ts';

/** Compiles `sql` against the dataset (prepare + read-only check); throws QueryError. */
export type CompileSql = (sql: string) => Promise<void>;

/** Strings and comments blanked out, so names inside them are not taken for references. */
function code(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
}

const unquote = (name: string): string => name.replace(/^["`[]|["`\]]$/g, '').replace(/""/g, '"');
const NAME = String.raw`("(?:[^"]|"")+"|\`[^\`]+\`|\[[^\]]+\]|[A-Za-z_]\w*)`;

function suggestion(name: string, candidates: readonly string[]): string {
  const near = nearest(name, candidates);
  return near ? ` Did you mean \`${near}\`?` : '';
}

/**
 * Checks names against the dataset's tables and columns. Aliases are resolved from `FROM x a` /
 * `JOIN x AS a`; names defined by the query itself (CTEs, subquery aliases) are left to compile.
 */
export function checkNames(sql: string, model: SemanticModel): void {
  const text = code(sql);
  const tables = new Map(model.entities.map((e) => [e.table.toLowerCase(), e]));
  const ctes = new Set(
    [
      ...text.matchAll(
        new RegExp(
          `(?:\\bWITH|,)\\s*(?:RECURSIVE\\s+)?${NAME}\\s*(?:\\([^)]*\\))?\\s+AS\\s*\\(`,
          'gi',
        ),
      ),
    ].map((m) => unquote(m[1] as string).toLowerCase()),
  );
  const aliases = new Map<string, string>();
  for (const m of text.matchAll(
    new RegExp(`\\b(?:FROM|JOIN)\\s+${NAME}(?:\\s+(?:AS\\s+)?${NAME})?`, 'gi'),
  )) {
    const table = unquote(m[1] as string);
    const lower = table.toLowerCase();
    if (ctes.has(lower) || lower === 'select') continue;
    if (!tables.has(lower)) {
      throw new QueryError(
        'SQL_SYNTAX',
        `There is no table \`${table}\`.${suggestion(
          table,
          [...tables.values()].map((e) => e.table),
        )}`,
        {
          hint: `Tables: ${model.entities.map((e) => e.table).join(', ')}.`,
        },
      );
    }
    aliases.set(lower, lower);
    const alias = m[2] ? unquote(m[2]) : undefined;
    if (
      alias &&
      !/^(on|where|group|order|limit|join|inner|left|right|cross|natural|using|having|union|window)$/i.test(
        alias,
      )
    ) {
      aliases.set(alias.toLowerCase(), lower);
    }
  }
  for (const m of text.matchAll(new RegExp(`${NAME}\\s*\\.\\s*${NAME}`, 'g'))) {
    const owner = unquote(m[1] as string).toLowerCase();
    const column = unquote(m[2] as string);
    const table = aliases.get(owner);
    if (!table) continue;
    const entity = tables.get(table);
    if (
      !entity ||
      column === '*' ||
      entity.columns.some((c) => c.toLowerCase() === column.toLowerCase())
    )
      continue;
    throw new QueryError(
      'SQL_SYNTAX',
      `Table \`${entity.table}\` has no column \`${column}\`.${suggestion(column, entity.columns)}`,
      {
        hint: `Columns of ${entity.table}: ${entity.columns.join(', ')}.`,
      },
    );
  }
}

/** Adds the nearest real name to SQLite's "no such column/table" messages. */
function explain(err: QueryError, sql: string, model: SemanticModel): QueryError {
  const column = /no such column: (?:\w+\.)?(\w+)/.exec(err.message);
  const table = /no such table: (?:\w+\.)?(\w+)/.exec(err.message);
  // Columns of the tables the query names, else of every table.
  const words = new Set(code(sql).toLowerCase().split(/\W+/));
  const named = model.entities.filter((e) => words.has(e.table.toLowerCase()));
  const columns = (named.length > 0 ? named : model.entities).flatMap((e) => e.columns);
  const extra = column
    ? suggestion(column[1] as string, [...new Set(columns)])
    : table
      ? suggestion(
          table[1] as string,
          model.entities.map((e) => e.table),
        )
      : '';
  if (!extra) return err;
  return new QueryError(err.code, `${err.message}.${extra}`, {
    ...(err.hint === undefined ? {} : { hint: err.hint }),
    cause: err,
  });
}

/** The validate stage: screen, names, compile. Throws QueryError saying what is wrong. */
export async function validateSql(
  sql: string,
  model: SemanticModel,
  compile: CompileSql,
): Promise<void> {
  const first = screenSql(sql);
  if (first !== 'SELECT' && first !== 'WITH' && first !== 'VALUES') {
    throw new QueryError(
      'SQL_NOT_READ_ONLY',
      `A question is answered by one SELECT query, not ${first}.`,
      {
        hint: 'Write a SELECT (or WITH … SELECT) query.',
      },
    );
  }
  checkNames(sql, model);
  try {
    await compile(sql);
  } catch (err) {
    if (err instanceof QueryError) throw explain(err, sql, model);
    throw err;
  }
}
