// What the model is told: the semantic model pruned to the tables a question touches (measures
// with their SQL, dimensions with their values, dates with their range, joins), the earlier
// turns, and for answers the result rows it may see. Replies are parsed back here too.

import { parseQuestion } from './lexicon.ts';
import { entityOf, type SemanticModel } from './model.ts';
import type { ChatMessage } from './model-client.ts';
import type { Translator } from './translate.ts';

const MAX_VALUES = 30;
const MAX_TABLES = 12;

export interface ConversationTurn {
  question: string;
  /** The SQL that answered it, if any. */
  sql?: string;
}

/** Tables the question names (by any word of the model), with the tables joining them. */
export function relevantTables(tr: Translator, question: string): string[] {
  const { items } = parseQuestion(tr.lexicon, question);
  const named = new Set<string>();
  for (const item of items) {
    for (const term of item.terms) {
      if ('table' in term && typeof term.table === 'string') named.add(term.table);
      if (term.t === 'join') named.add(term.from).add(term.to);
    }
  }
  const all = tr.model.entities.map((e) => e.table);
  if (named.size === 0) return all.slice(0, MAX_TABLES);
  // Add neighbours along foreign keys, so the model can join what it needs.
  const out = new Set(named);
  for (const j of tr.model.joins) {
    if (named.has(j.from) || named.has(j.to)) {
      out.add(j.from);
      out.add(j.to);
    }
  }
  return [...out].slice(0, MAX_TABLES);
}

export function describeSchema(model: SemanticModel, tables: readonly string[]): string {
  const lines: string[] = [`Dataset "${model.datasetId}" (SQLite). Tables:`];
  for (const table of tables) {
    const e = entityOf(model, table);
    lines.push(`- ${e.table} (${e.rowCount} rows; one row is one ${e.name})`);
    const fks = model.joins.filter((j) => j.from === table);
    const cols = e.columns.map((c) => {
      const fk = fks.find((j) => j.fromColumn === c);
      return fk ? `${c} → ${fk.to}.${fk.toColumn}` : c === e.key ? `${c} (key)` : c;
    });
    lines.push(`  columns: ${cols.join(', ')}`);
    for (const m of e.measures) {
      const sql = m.sql ?? (m.expr ? `${m.agg ?? 'sum or avg'}(${m.expr})` : '');
      const also =
        m.synonyms.length > 0 ? ` (also called ${m.synonyms.slice(0, 5).join(', ')})` : '';
      lines.push(`  measure ${m.name}${also}: ${sql}`);
    }
    for (const d of e.dimensions) {
      const values = d.values.slice(0, MAX_VALUES).map((v) => `'${v}'`);
      const more = d.values.length > MAX_VALUES ? ', …' : '';
      if (values.length > 0) lines.push(`  ${d.column} values: ${values.join(', ')}${more}`);
    }
    for (const t of e.times) {
      const range = t.min && t.max ? ` from ${t.min} to ${t.max}` : '';
      lines.push(
        `  date ${t.column}${t.grain === 'year' ? ' (a year number)' : ' (ISO text)'}${range}`,
      );
    }
  }
  return lines.join('\n');
}

const SQL_RULES = `You translate questions about a SQLite dataset into one SQL query.
Reply with a first line "Reading: <how you understood the question, under 15 words>", then the
query in a \`\`\`sql block, and nothing else. The query must be a single read-only SELECT (or
WITH … SELECT) over the tables and columns listed. Use a measure's SQL when the question names
it; use text values exactly as listed. Dates are ISO text: a year is col >= 'YYYY-01-01' AND
col < 'YYYY+1-01-01'; months are strftime('%Y-%m', col). If the question cannot be answered from
these tables, reply exactly "NOT_ANSWERABLE: <one short sentence why>".`;

export function sqlMessages(opts: {
  tr: Translator;
  question: string;
  history: readonly ConversationTurn[];
  /** Earlier attempts of this question and why each was invalid. */
  attempts: readonly { sql: string; error: string }[];
}): ChatMessage[] {
  const tables = relevantTables(
    opts.tr,
    [...opts.history.map((t) => t.question), opts.question].join(' '),
  );
  const messages: ChatMessage[] = [
    { role: 'system', content: `${SQL_RULES}\n\n${describeSchema(opts.tr.model, tables)}` },
  ];
  for (const turn of opts.history.slice(-6)) {
    messages.push({ role: 'user', content: turn.question });
    messages.push({
      role: 'assistant',
      content: turn.sql ? `\`\`\`sql\n${turn.sql}\n\`\`\`` : '(no query)',
    });
  }
  messages.push({ role: 'user', content: opts.question });
  for (const a of opts.attempts) {
    messages.push({ role: 'assistant', content: `\`\`\`sql\n${a.sql}\n\`\`\`` });
    messages.push({
      role: 'user',
      content: `That query is invalid: ${a.error} Reply with a corrected query.`,
    });
  }
  return messages;
}

export type SqlReply = { sql: string; reading?: string } | { refused: string };

export function parseSqlReply(text: string): SqlReply {
  const refused = /NOT_ANSWERABLE:?\s*(.*)/i.exec(text);
  const fenced = /```(?:sql)?\s*([\s\S]*?)```/i.exec(text);
  const reading = /^\s*Reading:\s*(.+)$/im.exec(text)?.[1]?.trim();
  const sql = (fenced?.[1] ?? (/^\s*(SELECT|WITH)\b/i.test(text) ? text : ''))
    .trim()
    .replace(/;\s*$/, '');
  if (sql === '' && refused)
    return { refused: refused[1]?.trim() || 'The model could not answer it from this data.' };
  return reading ? { sql, reading } : { sql };
}

const ANSWER_RULES = `You state the answer to a data question in markdown: one to three short
sentences with the key numbers, nothing else (no SQL, no table). Use only names and numbers that
appear in the result, or totals, shares and differences of its numbers; write numbers with at
most two decimals. Say "highest" or "lowest" only of what is highest or lowest in the result.`;

export function answerMessages(opts: {
  question: string;
  reading: string;
  columns: readonly { name: string }[];
  rows: readonly unknown[][];
  rowCount: number;
  sendRows: number;
  /** Earlier answers of this run and what was wrong with each. */
  rejected: readonly { answer: string; problems: readonly string[] }[];
}): ChatMessage[] {
  const shown = opts.rows.slice(0, opts.sendRows);
  const table = [
    `| ${opts.columns.map((c) => c.name).join(' | ')} |`,
    `| ${opts.columns.map(() => '---').join(' | ')} |`,
    ...shown.map((r) => `| ${r.map((v) => (v === null ? 'NULL' : String(v))).join(' | ')} |`),
  ].join('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: ANSWER_RULES },
    {
      role: 'user',
      content: `Question: ${opts.question}\nRead as: ${opts.reading}\nResult (${opts.rowCount} rows${shown.length < opts.rowCount ? `, the first ${shown.length} shown` : ''}):\n${table}`,
    },
  ];
  for (const r of opts.rejected) {
    messages.push({ role: 'assistant', content: r.answer });
    messages.push({
      role: 'user',
      content: `These claims do not match the result: ${r.problems.join('; ')}. Rewrite the answer using only the result.`,
    });
  }
  return messages;
}
