// The offline translator over the curated shop model: how the lexicon reads a question, and
// frames whose SQL returns what a hand-written gold query returns.
import { describe, expect, it } from 'vitest';
import { useShopTranslator } from '../test/shop-translator.ts';
import { buildLexicon, parseQuestion } from './lexicon.ts';

const shop = useShopTranslator();
const { agrees, ok } = shop;

describe('lexicon', () => {
  it('reads phrases by longest match: values, synonyms, qualified words and numbers', () => {
    const { items, unknown } = parseQuestion(
      shop.tr.lexicon,
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
    const { items, unknown } = parseQuestion(
      buildLexicon(shop.tr.model),
      'name of the frobnicator',
    );
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
