// What SQL a run may execute: one statement, that parses, that only reads. SQLite's own
// verdict (`stmt.readonly`, `stmt.reader`, in the worker) is the gate; a lexical screen in front
// of it, here on the caller's thread and linear in the text, refuses what SQLite calls read-only
// but is not harmless (ATTACH, transactions, pragmas). This file also words the worker's verdicts.
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
  // Plain text is copied a run at a time, up to the next comment or quote.
  const special = /--|\/\*|['"`[]/g;
  while (i < sql.length) {
    special.lastIndex = i;
    const found = special.exec(sql);
    if (!found) {
      out += sql.slice(i);
      break;
    }
    out += sql.slice(i, found.index);
    i = found.index;
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
  // Only the first n words are read, however long the statement.
  const words: string[] = [];
  for (const match of statement.matchAll(/\w+/g)) {
    words.push(match[0]);
    if (words.length >= n) break;
  }
  return words;
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
  screenPragmaFunctions(statement);
  return screenStatement(statement);
}

/** Statements that can be prefixed with EXPLAIN QUERY PLAN; an EXPLAIN or a PRAGMA has none. */
export function hasPlan(firstKeyword: string): boolean {
  return firstKeyword === 'SELECT' || firstKeyword === 'WITH' || firstKeyword === 'VALUES';
}

// Every pragma that returns rows is also a table-valued function (`SELECT * FROM
// pragma_database_list` shows the dataset's absolute path); only the allowed ones may be named.
function screenPragmaFunctions(statement: string): void {
  for (const match of statement.matchAll(/\bpragma_(\w+)/gi)) {
    const name = (match[1] as string).toLowerCase();
    if (!ALLOWED_PRAGMAS.has(name)) {
      throw new QueryError('SQL_FORBIDDEN', `pragma_${name} is not allowed.`, {
        hint: `Allowed pragma functions: ${[...ALLOWED_PRAGMAS].map((p) => `pragma_${p}`).join(', ')}.`,
      });
    }
  }
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

/** A table or view and its column names, as the worker reports them for hints. */
export interface TableColumns {
  name: string;
  columns: string[];
}

function columnsHint(schema: readonly TableColumns[], sql: string): string {
  const words = new Set(stripSql(sql).toLowerCase().split(/\W+/));
  const mentioned = schema.filter((t) => words.has(t.name.toLowerCase()));
  if (mentioned.length === 0) return `Available tables: ${schema.map((t) => t.name).join(', ')}.`;
  const described = mentioned.map((t) => `${t.name}(${t.columns.join(', ')})`);
  return `Columns: ${described.join('; ')}.`;
}

/**
 * Words a prepare-time failure from the worker as a QueryError: syntax, unknown tables or
 * columns (with the schema as a hint), several statements. What is not an SQL problem stays an
 * internal error, whose message never reaches the person.
 */
export function prepareError(
  sql: string,
  message: string,
  code: string | undefined,
  schema: readonly TableColumns[],
): Error {
  if (message.includes('more than one statement')) {
    return new QueryError(
      'SQL_MULTIPLE_STATEMENTS',
      'The query has more than one statement; only one can run at a time.',
      { hint: 'Remove everything after the first statement.' },
    );
  }
  if (message.includes('contains no statements')) {
    return new QueryError('SQL_EMPTY', 'The query is empty.', {
      hint: 'Write one SELECT statement.',
    });
  }
  if (code === undefined || !code.startsWith('SQLITE_')) {
    return new Error(`Preparing the query failed: ${message}`);
  }
  if (code === 'SQLITE_AUTH') return new QueryError('SQL_FORBIDDEN', message);
  if (/^SQLITE_(CANTOPEN|CORRUPT|NOTADB|IOERR|BUSY|LOCKED)/.test(code)) {
    return new QueryError('DATASET_UNAVAILABLE', `The dataset cannot be read: ${message}`);
  }
  let hint = 'Check the SQL near the quoted text; queries use SQLite syntax.';
  if (message.startsWith('no such table')) {
    hint = `Available tables: ${schema.map((t) => t.name).join(', ')}.`;
  } else if (message.startsWith('no such column')) {
    hint = columnsHint(schema, sql);
  } else if (message.startsWith('no such function')) {
    hint = 'Only the built-in SQLite functions are available.';
  }
  return new QueryError('SQL_SYNTAX', message, { hint });
}

/** The validate stage's refusal, once SQLite has said the statement is not a pure read. */
export function notReadOnlyError(sql: string, readonly: boolean): QueryError {
  const [first = 'This'] = firstWords(stripSql(sql).trim(), 1).map((w) => w.toUpperCase());
  return new QueryError(
    'SQL_NOT_READ_ONLY',
    readonly
      ? `${first} statements return no rows; only queries that read data can run.`
      : `${first} statements change the dataset; only read-only queries can run.`,
    { hint: 'Write a SELECT (or WITH … SELECT) query; datasets are read-only.' },
  );
}
