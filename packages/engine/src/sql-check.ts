// What SQL a run may execute: one statement, that parses, that only reads. SQLite's own
// verdict (`stmt.readonly`, `stmt.reader`) is the gate; a lexical screen in front of it
// refuses what SQLite calls read-only but is not harmless (ATTACH, transactions, pragmas).
import type { Database, Statement } from 'better-sqlite3';
import { QueryError } from './errors.ts';

/** Pragmas that only describe the schema; every other pragma can change or leak state. */
export const ALLOWED_PRAGMAS: ReadonlySet<string> = new Set([
  'table_info',
  'table_xinfo',
  'table_list',
  'index_list',
  'index_info',
  'index_xinfo',
  'foreign_key_list',
  'collation_list',
]);

// SQLite reports several of these as `readonly` (ATTACH, DETACH, BEGIN, SAVEPOINT …), so
// `stmt.readonly` alone would let them through.
const FORBIDDEN_STATEMENTS: ReadonlySet<string> = new Set([
  'ATTACH',
  'DETACH',
  'BEGIN',
  'COMMIT',
  'END',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'VACUUM',
  'REINDEX',
  'ANALYZE',
]);

/**
 * Blanks out comments and string literals (so keywords inside them do not count) and
 * unquotes plain quoted identifiers (so `"load_extension"(…)` is still seen).
 */
function stripSql(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      out += ' ';
    } else if (c === "'") {
      i = skipQuoted(sql, i, "'");
      out += "''";
    } else if (c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      const end = skipQuoted(sql, i, close);
      const inner = sql.slice(i + 1, end - 1);
      out += /^\w+$/.test(inner) ? ` ${inner} ` : ' "_" ';
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index just past the quoted run that opens at `start`; a doubled quote is an escape. */
function skipQuoted(sql: string, start: number, close: string): number {
  let i = start + 1;
  for (;;) {
    const end = sql.indexOf(close, i);
    if (end === -1) return sql.length;
    if (close !== ']' && sql[end + 1] === close) {
      i = end + 2;
      continue;
    }
    return end + 1;
  }
}

/** The non-empty statements of `sql` after stripping; a trailing `;` adds none. */
function statementsOf(sql: string): string[] {
  return stripSql(sql)
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function firstWords(statement: string, n: number): string[] {
  return statement.split(/\W+/).filter(Boolean).slice(0, n);
}

/**
 * The lexical screen. Runs before SQLite ever sees the text because merely *preparing*
 * some statements has effects: `PRAGMA query_only=0` switches the flag at prepare time.
 * Returns the first keyword of the statement, upper-cased.
 */
export function screenSql(sql: string): string {
  const statements = statementsOf(sql);
  const [statement] = statements;
  if (statement === undefined) {
    throw new QueryError('SQL_EMPTY', 'The query is empty.', {
      hint: 'Write one SELECT statement.',
    });
  }
  if (statements.length > 1) {
    throw new QueryError(
      'SQL_MULTIPLE_STATEMENTS',
      `The query has ${statements.length} statements; only one can run at a time.`,
      { hint: 'Remove everything after the first statement, or run them one by one.' },
    );
  }
  if (/\bload_extension\s*\(/i.test(statement)) {
    throw new QueryError('SQL_FORBIDDEN', 'load_extension() is not allowed.', {
      hint: 'Queries can only use the built-in SQLite functions.',
    });
  }
  return screenStatement(statement);
}

function screenStatement(statement: string): string {
  const [first = ''] = firstWords(statement, 1).map((w) => w.toUpperCase());
  if (first === 'EXPLAIN') {
    // EXPLAIN prepares the statement it explains, so that statement gets the same screen.
    const rest = statement.replace(/^\s*explain\b(\s*query\s+plan\b)?/i, '').trim();
    if (rest !== '') screenStatement(rest);
    return first;
  }
  if (FORBIDDEN_STATEMENTS.has(first)) {
    throw new QueryError('SQL_FORBIDDEN', `${first} statements are not allowed.`, {
      hint: 'Only read-only queries can run: SELECT, WITH … SELECT, VALUES.',
    });
  }
  if (first === 'PRAGMA') screenPragma(statement);
  return first;
}

function screenPragma(statement: string): void {
  const match = /^\s*pragma\s+(?:\w+\s*\.\s*)?(\w+)\s*(.*)$/is.exec(statement);
  const name = match?.[1]?.toLowerCase() ?? '';
  const rest = match?.[2]?.trim() ?? '';
  if (rest.startsWith('=')) {
    throw new QueryError('SQL_FORBIDDEN', 'PRAGMA assignments are not allowed.', {
      hint: 'Datasets are read-only; settings cannot be changed from a query.',
    });
  }
  if (!ALLOWED_PRAGMAS.has(name)) {
    throw new QueryError('SQL_FORBIDDEN', `PRAGMA ${name || '(unnamed)'} is not allowed.`, {
      hint: `Allowed pragmas: ${[...ALLOWED_PRAGMAS].join(', ')}.`,
    });
  }
}

/** Tables and views a query may name, for hints. */
export function listTables(db: Database): string[] {
  return db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
}

function columnsHint(db: Database, sql: string): string {
  const tables = listTables(db);
  const words = new Set(stripSql(sql).toLowerCase().split(/\W+/));
  const mentioned = tables.filter((t) => words.has(t.toLowerCase()));
  if (mentioned.length === 0) return `Available tables: ${tables.join(', ')}.`;
  const described = mentioned.map((t) => {
    const cols = db.pragma(`table_info(${JSON.stringify(t)})`) as { name: string }[];
    return `${t}(${cols.map((c) => c.name).join(', ')})`;
  });
  return `Columns: ${described.join('; ')}.`;
}

/** Maps a prepare-time failure to a QueryError; rethrows what is not an SQL problem. */
function prepareError(db: Database, sql: string, err: unknown): QueryError {
  if (!(err instanceof Error)) throw err;
  const message = err.message;
  if (message.includes('more than one statement')) {
    return new QueryError(
      'SQL_MULTIPLE_STATEMENTS',
      'The query has more than one statement; only one can run at a time.',
      { hint: 'Remove everything after the first statement.', cause: err },
    );
  }
  if (message.includes('contains no statements')) {
    return new QueryError('SQL_EMPTY', 'The query is empty.', {
      hint: 'Write one SELECT statement.',
      cause: err,
    });
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) throw err;
  if (code === 'SQLITE_AUTH') {
    return new QueryError('SQL_FORBIDDEN', message, { cause: err });
  }
  if (/^SQLITE_(CANTOPEN|CORRUPT|NOTADB|IOERR|BUSY|LOCKED)/.test(code)) {
    return new QueryError('DATASET_UNAVAILABLE', `The dataset cannot be read: ${message}`, {
      cause: err,
    });
  }
  let hint = 'Check the SQL near the quoted text; queries use SQLite syntax.';
  if (message.startsWith('no such table')) {
    hint = `Available tables: ${listTables(db).join(', ')}.`;
  } else if (message.startsWith('no such column')) {
    hint = columnsHint(db, sql);
  } else if (message.startsWith('no such function')) {
    hint = 'Only the built-in SQLite functions are available.';
  }
  return new QueryError('SQL_SYNTAX', message, { hint, cause: err });
}

/**
 * Screens and prepares `sql` as exactly one statement; syntax, unknown tables or columns
 * and several statements become QueryErrors. Does not decide whether it only reads: that
 * is `validateReadOnly`.
 */
export function prepareChecked(db: Database, sql: string): Statement {
  const text = sql.trim();
  screenSql(text);
  try {
    return db.prepare(text);
  } catch (err) {
    throw prepareError(db, text, err);
  }
}

/** The read-only gate of the validate stage. */
export function validateReadOnly(stmt: Statement, sql: string): void {
  screenSql(sql);
  if (!stmt.readonly || !stmt.reader) {
    const [first = 'This'] = firstWords(stripSql(sql).trim(), 1).map((w) => w.toUpperCase());
    throw new QueryError(
      'SQL_NOT_READ_ONLY',
      stmt.readonly
        ? `${first} statements return no rows; only queries that read data can run.`
        : `${first} statements change the dataset; only read-only queries can run.`,
      { hint: 'Write a SELECT (or WITH … SELECT) query; datasets are read-only.' },
    );
  }
}
