import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibraryDataset } from '../testing.ts';
import { inferModel } from './infer.ts';
import { SemanticModelFileError } from './model-file.ts';
import { sameResult } from './same-result.ts';
import { loadSemanticModel, modelFilePath } from './semantic.ts';
import { createTranslator, type Translator, translate } from './translate.ts';
import { nearest, singular, splitName, tokenize } from './words.ts';

let dir: string;
let path: string;
let db: Database.Database;
let tr: Translator;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'querylane-infer-'));
  path = join(dir, 'library.db');
  createLibraryDataset(path);
  db = new Database(path, { readonly: true });
  tr = createTranslator(loadSemanticModel({ datasetId: 'library', db, path }));
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('words', () => {
  it('splits, singularises and tokenises the way lexicon and question must agree', () => {
    expect(splitName('orderItems')).toEqual(['order', 'items']);
    expect(splitName('signup_date')).toEqual(['signup', 'date']);
    expect(
      ['cities', 'statuses', 'boxes', 'status', 'analysis', 'people', 'sales'].map(singular),
    ).toEqual(['city', 'status', 'box', 'status', 'analysis', 'person', 'sale']);
    expect(
      tokenize("Top 10 customers' orders over 1,500.5 and 2.5k, Malmö weren't").map((t) => t.norm),
    ).toEqual([
      'top',
      '10',
      'customer',
      'order',
      'over',
      '1500.5',
      'and',
      '2500',
      'malmo',
      'were',
      'not',
    ]);
    expect(nearest('revenu', ['revenue', 'region'])).toBe('revenue');
    expect(nearest('price', ['id', 'unit_price'])).toBe('unit_price');
    expect(nearest('zzz', ['id', 'name'])).toBeUndefined();
  });
});

describe('an inferred model', () => {
  it('turns tables into entities, keys and <singular>_id columns into joins, columns into measures, dimensions and dates', () => {
    const model = inferModel(db, 'library');
    expect(model.entities.map((e) => [e.table, e.name, e.key, e.label])).toEqual([
      ['authors', 'author', 'author_id', 'full_name'],
      ['books', 'book', 'book_id', 'title'],
      ['loans', 'loan', 'loan_id', null],
      ['members', 'member', 'member_id', 'member_name'],
    ]);
    // books.author_id is declared; loans.book_id and loans.member_id follow the naming rule.
    expect(model.joins.map((j) => `${j.from}.${j.fromColumn} → ${j.to}.${j.toColumn}`)).toEqual([
      'books.author_id → authors.author_id',
      'loans.book_id → books.book_id',
      'loans.member_id → members.member_id',
    ]);
    const books = model.entities.find((e) => e.table === 'books');
    expect(books?.measures.map((m) => [m.name, m.agg, m.synonyms])).toEqual([
      ['published year', 'avg', []],
      ['page count', 'sum', ['page']],
      ['list price', 'avg', ['price']],
    ]);
    expect(books?.dimensions.find((d) => d.column === 'genre')?.values.sort()).toEqual([
      'Fantasy',
      'History',
      'Mystery',
      'Romance',
      'Science Fiction',
    ]);
    expect(books?.times).toEqual([
      {
        name: 'published year',
        column: 'published_year',
        synonyms: ['published'],
        grain: 'year',
        min: expect.any(String),
        max: expect.any(String),
      },
    ]);
    const loans = model.entities.find((e) => e.table === 'loans');
    expect(loans?.times.map((t) => [t.column, t.synonyms])).toEqual([
      ['loaned_at', ['loaned']],
      ['returned_at', ['returned']],
    ]);
  });
});

describe('naming habits of other schemas', () => {
  it('finds abbreviated and composite-key foreign keys and table-prefixed names', () => {
    const hr = new Database(':memory:');
    hr.exec(`
      CREATE TABLE departments (dept_id INTEGER PRIMARY KEY, dept_name TEXT, location TEXT);
      CREATE TABLE employees (emp_id INTEGER PRIMARY KEY, first_name TEXT, dept_id INTEGER, salary REAL, manager_id INTEGER REFERENCES employees(emp_id));
      CREATE TABLE assignments (emp_id INTEGER, project TEXT, hours REAL, PRIMARY KEY (emp_id, project));
      INSERT INTO departments VALUES (1, 'Sales', 'Boston'), (2, 'Legal', 'Austin');
      INSERT INTO employees VALUES (1, 'Ann', 1, 50000, NULL), (2, 'Bo', 2, 60000, 1), (3, 'Cy', 1, 70000, 1);
      INSERT INTO assignments VALUES (1, 'x', 10), (2, 'x', 5), (3, 'y', 7);
    `);
    const model = inferModel(hr, 'hr');
    expect(model.joins.map((j) => `${j.from}.${j.fromColumn} → ${j.to}`)).toEqual([
      'assignments.emp_id → employees',
      'employees.dept_id → departments',
    ]);
    const departments = model.entities.find((e) => e.table === 'departments');
    expect(departments?.label).toBe('dept_name');
    expect(departments?.dimensions.find((d) => d.column === 'dept_name')?.synonyms).toEqual([
      'name',
    ]);
    // A key back to its own table is neither a join nor a measure; a salary may be summed or averaged.
    const employees = model.entities.find((e) => e.table === 'employees');
    expect(employees?.measures.map((m) => [m.name, m.agg])).toEqual([['salary', null]]);
    const t = createTranslator(model);
    expect(translate(t, 'Total hours worked by employees in Sales')).toMatchObject({
      ok: true,
      reading: 'sum of hours, dept name is Sales',
    });
    expect(translate(t, 'Salary by location')).toMatchObject({ ok: false, code: 'AMBIGUOUS' });
    hr.close();
  });
});

describe('the translator on a dataset it was not curated for', () => {
  const rows = (sql: string) => ({ rows: db.prepare(sql).raw().all() as unknown[][] });
  const agrees = (question: string, gold: string, ordered = false) => {
    const out = translate(tr, question);
    if (!out.ok) throw new Error(`refused "${question}": ${out.message}`);
    expect(sameResult(rows(gold), rows(out.sql), ordered), `${question}\n${out.sql}`).toBe(true);
    return out;
  };

  it('answers aggregates, joins, ranks and time over inferred names', () => {
    agrees(
      'Average page count by genre',
      'SELECT genre, avg(page_count) FROM books GROUP BY genre',
    );
    agrees(
      'Top 3 authors by number of books',
      'SELECT a.full_name, count(*) n FROM books b JOIN authors a ON a.author_id=b.author_id GROUP BY a.author_id ORDER BY n DESC LIMIT 3',
      true,
    );
    agrees(
      'Total late fees by city',
      'SELECT m.city, sum(l.late_fee) FROM loans l JOIN members m ON m.member_id=l.member_id GROUP BY m.city',
    );
    agrees(
      'How many books were published after 2000?',
      'SELECT count(*) FROM books WHERE published_year > 2000',
    );
    agrees(
      'Which genre has the highest average price?',
      'SELECT genre FROM books GROUP BY genre ORDER BY avg(list_price) DESC LIMIT 1',
      true,
    );
    agrees(
      'Number of books written by Brazilian authors',
      "SELECT count(*) FROM books b JOIN authors a ON a.author_id=b.author_id WHERE a.nationality='Brazilian'",
    );
    agrees(
      'How many distinct members borrowed books in 2023?',
      "SELECT count(DISTINCT member_id) FROM loans WHERE loaned_at >= '2023-01-01' AND loaned_at < '2024-01-01'",
    );
  });

  it('picks the date named after the entity, or the one the question names', () => {
    const loaned = agrees(
      'Loans per month in 2023',
      "SELECT strftime('%Y-%m', loaned_at) m, count(*) FROM loans WHERE loaned_at >= '2023-01-01' AND loaned_at < '2024-01-01' GROUP BY m",
    );
    expect(loaned.plan.time).toEqual({ table: 'loans', column: 'loaned_at' });
    const returned = agrees(
      'How many loans were returned in 2023?',
      "SELECT count(*) FROM loans WHERE returned_at >= '2023-01-01' AND returned_at < '2024-01-01'",
    );
    expect(returned.frame.time).toEqual({ table: 'loans', column: 'returned_at' });
  });

  it('refuses what its schema does not say', () => {
    expect(translate(tr, 'What is the longest book?')).toMatchObject({
      ok: false,
      code: 'NOT_UNDERSTOOD',
      unknownWords: ['longest'],
    });
  });
});

describe('semantic-model files', () => {
  const withFile = (content: string) => {
    writeFileSync(modelFilePath(path), content);
    try {
      return loadSemanticModel({ datasetId: 'library', db, path });
    } finally {
      rmSync(modelFilePath(path));
    }
  };

  it('refine the inferred model: synonyms, adjectives, new measures', () => {
    expect(modelFilePath('/data/sales.db')).toBe('/data/sales.semantic.json');
    const model = withFile(
      JSON.stringify({
        entities: {
          books: {
            synonyms: ['title'],
            measures: {
              'page count': { synonyms: ['length'], high: ['longest'], low: ['shortest'] },
              value: { expr: 'list_price * page_count', agg: 'sum' },
            },
          },
        },
      }),
    );
    expect(model.source).toBe('inferred+file');
    const refined = createTranslator(model);
    const out = translate(refined, 'What is the longest book?');
    expect(out).toMatchObject({ ok: true, reading: 'the book with the highest page count' });
    expect(translate(refined, 'total value by genre')).toMatchObject({
      ok: true,
      sql: expect.stringContaining('sum(b.list_price * b.page_count)'),
    });
  });

  it('fail with the file, the place and the reason when malformed', () => {
    expect(() => withFile('{ not json')).toThrow(SemanticModelFileError);
    expect(() => withFile('{ not json')).toThrow(/library\.semantic\.json is not valid JSON/);
    expect(() =>
      withFile(JSON.stringify({ entities: { books: { measures: { x: { agg: 'median' } } } } })),
    ).toThrow(/entities\.books\.measures\.x\.agg/);
    expect(() => withFile(JSON.stringify({ entities: { novels: {} } }))).toThrow(
      'entities.novels: no table "novels" in the dataset',
    );
    expect(() =>
      withFile(JSON.stringify({ entities: { books: { measures: { v: { expr: 'pages * 2' } } } } })),
    ).toThrow('entities.books.measures.v: no column "pages" in books');
    expect(() => withFile(JSON.stringify({ surprise: true }))).toThrow(/Unrecognized key/);
  });
});
