import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshShopDir } from '../testing.ts';
import { buildLexicon, parseQuestion } from './lexicon.ts';
import { sameResult } from './same-result.ts';
import { loadSemanticModel } from './semantic.ts';
import { createTranslator, type Translated, type Translator, translate } from './translate.ts';

let dir: string;
let db: Database.Database;
let tr: Translator;

beforeAll(() => {
  dir = freshShopDir('querylane-translate-');
  const path = join(dir, 'shop.db');
  db = new Database(path, { readonly: true });
  tr = createTranslator(loadSemanticModel({ datasetId: 'shop', db, path, curated: true }));
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (sql: string) => ({ rows: db.prepare(sql).raw().all() as unknown[][] });

function ok(question: string, history: string[] = []): Translated {
  const out = translate(tr, question, history);
  if (!out.ok) throw new Error(`refused "${question}": ${out.code} ${out.message}`);
  return out;
}

/** The translation runs and returns what `gold` returns (the rule of nl-eval's scorer). */
function agrees(
  question: string,
  gold: string,
  ordered = false,
  history: string[] = [],
): Translated {
  const out = ok(question, history);
  expect(sameResult(rows(gold), rows(out.sql), ordered), `${question}\n${out.sql}`).toBe(true);
  return out;
}

describe('lexicon', () => {
  it('reads phrases by longest match: values, synonyms, qualified words and numbers', () => {
    const { items, unknown } = parseQuestion(
      tr.lexicon,
      'Top 3 customer segments by total spending in the UK?',
    );
    expect(unknown).toEqual([]);
    expect(
      items.map((i) => [i.tokens.map((t) => t.raw).join(' '), i.terms.map((t) => t.t).join('|')]),
    ).toEqual([
      ['top', 'keyword'],
      ['3', 'number'],
      ['customer', 'entity'],
      ['segments', 'dimension'],
      ['by', 'keyword'],
      ['total', 'keyword'],
      ['spending', 'measure'],
      ['in', 'keyword'],
      ['the', 'keyword'],
      ['uk', 'value'],
    ]);
    expect(items.at(-1)?.terms).toEqual([
      { t: 'value', table: 'customers', column: 'country', value: 'United Kingdom' },
    ]);
  });

  it('keeps every meaning of an ambiguous word and the words it does not know', () => {
    const { items, unknown } = parseQuestion(buildLexicon(tr.model), 'name of the frobnicator');
    expect(items[0]?.terms.map((t) => ('table' in t ? t.table : ''))).toEqual([
      'customers',
      'products',
    ]);
    expect(unknown.map((t) => t.raw)).toEqual(['frobnicator']);
  });
});

describe('frames over shop', () => {
  it('aggregates by dimensions along foreign keys', () => {
    const out = agrees(
      'Total revenue by customer segment',
      'SELECT c.segment, sum(oi.quantity * oi.unit_price) FROM order_items oi JOIN orders o ON o.id = oi.order_id JOIN customers c ON c.id = o.customer_id GROUP BY c.segment',
    );
    expect(out.reading).toBe('sum of revenue by segment');
    expect(out.sql).toBe(
      'SELECT c.segment, sum(oi.quantity * oi.unit_price) AS revenue FROM order_items oi JOIN orders o ON o.id = oi.order_id JOIN customers c ON c.id = o.customer_id GROUP BY c.segment ORDER BY revenue DESC',
    );
  });

  it('filters on values, negations and numbers', () => {
    agrees(
      'Number of returned orders per channel',
      "SELECT channel, count(*) FROM orders WHERE status = 'returned' GROUP BY channel",
    );
    agrees(
      'Number of orders not delivered',
      "SELECT count(*) FROM orders WHERE status <> 'delivered'",
    );
    agrees(
      'Revenue from web and phone orders',
      "SELECT sum(oi.quantity*oi.unit_price) FROM order_items oi JOIN orders o ON o.id=oi.order_id WHERE o.channel IN ('web','phone')",
    );
    agrees(
      'How many posts have more than 1000 likes?',
      'SELECT count(*) FROM posts WHERE likes > 1000',
    );
    agrees(
      'Which categories have an average price above 100?',
      'SELECT category, avg(price) a FROM products GROUP BY category HAVING a > 100',
    );
  });

  it('reads time ranges and buckets', () => {
    agrees(
      'Revenue by quarter in 2023',
      "SELECT strftime('%Y', o.order_date) || '-Q' || ((CAST(strftime('%m', o.order_date) AS INTEGER) + 2) / 3) q, sum(oi.quantity*oi.unit_price) FROM order_items oi JOIN orders o ON o.id=oi.order_id WHERE o.order_date >= '2023-01-01' AND o.order_date < '2024-01-01' GROUP BY q",
    );
    agrees(
      'How many orders in December 2024?',
      "SELECT count(*) FROM orders WHERE order_date >= '2024-12-01' AND order_date < '2025-01-01'",
    );
    agrees(
      'Revenue between 2022 and 2023',
      "SELECT sum(oi.quantity*oi.unit_price) FROM order_items oi JOIN orders o ON o.id=oi.order_id WHERE o.order_date >= '2022-01-01' AND o.order_date < '2024-01-01'",
    );
    agrees(
      'How many customers signed up before 2023?',
      "SELECT count(*) FROM customers WHERE signup_date < '2023-01-01'",
    );
    // Relative periods count back from the day after the data ends (2024-12-31).
    const last = ok('What was revenue by channel last year?');
    expect(last.reading).toBe(
      'sum of revenue by channel, last year: 2024 (the data runs to 2024-12-31)',
    );
  });

  it('ranks: top N, the single highest, the most expensive, the most common', () => {
    agrees(
      'Top 5 customers by number of orders',
      'SELECT c.name, count(*) n FROM orders o JOIN customers c ON c.id=o.customer_id GROUP BY c.id ORDER BY n DESC LIMIT 5',
      true,
    );
    agrees(
      'Which channel had the lowest revenue in 2023?',
      "SELECT o.channel FROM order_items oi JOIN orders o ON o.id=oi.order_id WHERE o.order_date >= '2023-01-01' AND o.order_date < '2024-01-01' GROUP BY o.channel ORDER BY sum(oi.quantity*oi.unit_price) ASC LIMIT 1",
      true,
    );
    agrees(
      '3 most expensive products',
      'SELECT name, price FROM products ORDER BY price DESC LIMIT 3',
      true,
    );
    agrees(
      'What is the most common order status?',
      'SELECT status FROM orders GROUP BY status ORDER BY count(*) DESC LIMIT 1',
      true,
    );
    agrees('What is the maximum price of a product?', 'SELECT max(price) FROM products');
  });

  it('counts distinct values, shares in percent and averages per parent row', () => {
    agrees(
      'How many distinct products were sold in 2024?',
      "SELECT count(DISTINCT oi.product_id) FROM order_items oi JOIN orders o ON o.id=oi.order_id WHERE o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01'",
    );
    agrees(
      'What percentage of orders were returned?',
      "SELECT 100.0*sum(status='returned')/count(*) FROM orders",
    );
    agrees(
      'Share of revenue by category',
      'SELECT p.category, 100.0*sum(oi.quantity*oi.unit_price)/(SELECT sum(quantity*unit_price) FROM order_items) FROM order_items oi JOIN products p ON p.id=oi.product_id GROUP BY p.category',
    );
    // "share" is also the posts' shares column: the reading that makes a question wins.
    agrees(
      'Revenue share by channel',
      'SELECT o.channel, 100.0*sum(oi.quantity*oi.unit_price)/(SELECT sum(quantity*unit_price) FROM order_items) FROM order_items oi JOIN orders o ON o.id=oi.order_id GROUP BY o.channel',
    );
    agrees('Total shares on tiktok', "SELECT sum(shares) FROM posts WHERE platform = 'tiktok'");
    agrees(
      'Average revenue per order',
      'SELECT sum(quantity*unit_price)/count(DISTINCT order_id) FROM order_items',
    );
    agrees(
      'Average number of items per order',
      'SELECT count(*)*1.0/count(DISTINCT order_id) FROM order_items',
    );
  });

  it('counts an entity through the table that links it ("customers who ordered")', () => {
    const out = agrees(
      'How many customers ordered in 2024?',
      "SELECT count(DISTINCT customer_id) FROM orders WHERE order_date >= '2024-01-01' AND order_date < '2025-01-01'",
    );
    expect(out.plan.base).toBe('orders');
    agrees(
      'How many customers bought Electronics?',
      "SELECT count(DISTINCT o.customer_id) FROM order_items oi JOIN orders o ON o.id=oi.order_id JOIN products p ON p.id=oi.product_id WHERE p.category='Electronics'",
    );
  });

  it('sorts every row when asked, without dropping any', () => {
    const out = agrees(
      'Number of orders per month in 2023 in ascending order',
      "SELECT strftime('%Y-%m', order_date) m, count(*) n FROM orders WHERE order_date >= '2023-01-01' AND order_date < '2024-01-01' GROUP BY m ORDER BY n ASC",
      true,
    );
    expect(out.reading).toBe(
      'count of orders by month, sorted by count of orders from lowest to highest, 2023',
    );
    // "orders by status" is a breakdown of orders, not "ORDER BY status".
    expect(ok('Orders by status').reading).toBe('count of orders by status');
  });

  it('lists rows when no measure is asked for', () => {
    const out = agrees(
      'Products with a price over 500',
      'SELECT name FROM products WHERE price > 500',
    );
    expect(out.sql).toBe('SELECT p.* FROM products p WHERE p.price > 500');
  });
});

describe('refusals', () => {
  it('names the words it does not know and what it understood', () => {
    const out = translate(tr, 'How many customers have never ordered?');
    expect(out).toMatchObject({ ok: false, code: 'NOT_UNDERSTOOD', unknownWords: ['never'] });
    expect(out.ok ? [] : out.understood).toEqual([
      '"how many" → a count',
      '"customers" → customers',
      '"ordered" → the date order_date of orders',
    ]);
  });

  it('refuses words that do not fit rather than dropping them', () => {
    const out = translate(tr, 'customers with more than 10 orders');
    expect(out).toMatchObject({ ok: false, code: 'NOT_UNDERSTOOD' });
    expect(out.ok ? '' : out.message).toBe(
      'I could not tell how "more than", "10" fit the question.',
    );
    expect(translate(tr, 'total revenue of the top 5 products')).toMatchObject({
      ok: false,
      code: 'NOT_UNDERSTOOD',
    });
  });

  it('reports several readings as AMBIGUOUS instead of picking one', () => {
    expect(translate(tr, 'Revenue per customer')).toMatchObject({
      ok: false,
      code: 'AMBIGUOUS',
      readings: ['sum of revenue by customer', 'average per customer'],
    });
    const counted = translate(tr, 'How many products per country?');
    expect(counted).toMatchObject({ ok: false, code: 'AMBIGUOUS' });
    expect(counted.ok ? [] : counted.readings).toHaveLength(2);
    // How many to rank is never guessed.
    expect(translate(tr, 'Which customers placed the most orders?')).toMatchObject({
      ok: false,
      code: 'AMBIGUOUS',
      readings: [
        'the customer with the highest count of orders',
        'top 10 customers by count of orders',
      ],
    });
    expect(translate(tr, 'Top products by revenue')).toMatchObject({
      ok: false,
      readings: ['top 5 products by sum of revenue', 'top 10 products by sum of revenue'],
    });
    // Customers without orders make "average per customer" two different numbers.
    expect(translate(tr, 'Average number of orders per customer')).toMatchObject({
      ok: false,
      code: 'AMBIGUOUS',
    });
  });
});

describe('follow-ups', () => {
  it('rewrites "and by …", "only …", "top N instead" and "what about …" into standalone readings', () => {
    const history = ['Revenue by category'];
    const byChannel = ok('and by channel?', history);
    expect(byChannel.followUp).toBe(true);
    expect(byChannel.reading).toBe('sum of revenue by category and channel');
    const only = ok('only 2024', [...history, 'and by channel?']);
    expect(only.reading).toBe('sum of revenue by category and channel, 2024');
    const top = agrees(
      'top 3 instead',
      "SELECT p.category, sum(oi.quantity*oi.unit_price) r FROM order_items oi JOIN products p ON p.id=oi.product_id JOIN orders o ON o.id=oi.order_id WHERE o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01' GROUP BY p.category ORDER BY r DESC LIMIT 3",
      true,
      ['Revenue by category in 2024'],
    );
    expect(top.reading).toBe('top 3 categories by sum of revenue, 2024');
    expect(ok('what about 2023?', ['Orders by status', 'only web']).reading).toBe(
      'count of orders by status, channel is web, 2023',
    );
  });

  it('answers a complete question on its own even after earlier turns', () => {
    const out = ok('How many customers are there?', ['Revenue by category']);
    expect(out.followUp).toBe(false);
    expect(out.reading).toBe('count of customers');
  });

  it('refuses a fragment with no earlier turn to complete it', () => {
    expect(translate(tr, 'only 2024')).toMatchObject({ ok: false, code: 'NOT_UNDERSTOOD' });
  });
});
