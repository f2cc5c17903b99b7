// Scores the offline translator without a server: translates each question of a set, runs the
// generated and the gold SQL on the dataset and compares them by execution, with the rule of
// nl-eval's compare.mjs (mirrored in src/ask/same-result.ts). A refusal beats a wrong answer.
//
//   npx tsx scripts/ask-eval.ts --set /work/shared/nl-eval/shop-dev.json [--db path] [--verbose]
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sameResult } from '../src/ask/same-result.ts';
import { loadSemanticModel } from '../src/ask/semantic.ts';
import { createTranslator, translate } from '../src/ask/translate.ts';
import { ensureShopDataset } from '../src/shop.ts';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => {
  if (a.startsWith('--'))
    args.set(
      a.slice(2),
      all[i + 1] && !all[i + 1]?.startsWith('--') ? (all[i + 1] as string) : 'true',
    );
});
const setPath = args.get('set');
if (!setPath) {
  console.error(
    'usage: ask-eval.ts --set questions.json [--db shop.db] [--dataset shop] [--verbose]',
  );
  process.exit(2);
}
interface Question {
  id: string;
  question: string;
  sql: string;
  ordered: boolean;
}
const set = JSON.parse(readFileSync(setPath, 'utf8')) as Question[];
const datasetId = args.get('dataset') ?? 'shop';
let dbPath = args.get('db');
if (!dbPath) {
  const dir = join(tmpdir(), 'querylane-ask-eval');
  mkdirSync(dir, { recursive: true });
  dbPath = join(dir, 'shop.db');
  ensureShopDataset(dbPath);
}
const db = new Database(dbPath, { readonly: true });
const started = performance.now();
const model = loadSemanticModel({ datasetId, db, path: dbPath, curated: datasetId === 'shop' });
const translator = createTranslator(model);
const modelMs = performance.now() - started;

const run = (sql: string) => ({ rows: db.prepare(sql).raw().all() as unknown[][] });
let right = 0;
let wrong = 0;
let refused = 0;
const times: number[] = [];
for (const q of set) {
  const t0 = performance.now();
  const out = translate(translator, q.question);
  times.push(performance.now() - t0);
  if (!out.ok) {
    refused++;
    console.log(
      `REFUSED ${q.id} ${q.question}\n        ${out.code}: ${out.message}${out.readings.length ? ` [${out.readings.join(' | ')}]` : ''}`,
    );
    continue;
  }
  let verdict: string;
  try {
    verdict = sameResult(run(q.sql), run(out.sql), q.ordered) ? 'ok' : 'WRONG';
  } catch (err) {
    verdict = 'WRONG';
    console.log(`        error: ${(err as Error).message}`);
  }
  if (verdict === 'ok') right++;
  else wrong++;
  if (verdict !== 'ok' || args.has('verbose')) {
    console.log(
      `${verdict.padEnd(7)} ${q.id} ${q.question}\n        reading: ${out.reading}\n        sql: ${out.sql}`,
    );
  }
}
times.sort((a, b) => a - b);
console.log(
  `\n${set.length} questions: ${right} right, ${wrong} wrong, ${refused} refused · model built in ${modelMs.toFixed(0)} ms · translate p50 ${(times[Math.floor(times.length / 2)] ?? 0).toFixed(2)} ms`,
);
db.close();
process.exitCode = wrong > 0 ? 1 : 0;
