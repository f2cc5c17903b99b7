// The offline translator's refusals (unknown words, words that do not fit, several readings)
// and follow-ups that rewrite a fragment against the earlier turns.
import { describe, expect, it } from 'vitest';
import { useShopTranslator } from '../test/shop-translator.ts';
import { translate } from './translate.ts';

const shop = useShopTranslator();
const { agrees, ok } = shop;

describe('refusals', () => {
  it('names the words it does not know and what it understood', () => {
    const out = translate(shop.tr, 'How many customers have never ordered?');
    expect(out).toMatchObject({ ok: false, code: 'NOT_UNDERSTOOD', unknownWords: ['never'] });
    expect(out.ok ? [] : out.understood).toEqual([
      '"how many" → a count',
      '"customers" → customers',
      '"ordered" → the date order_date of orders',
    ]);
  });

  it('refuses words that do not fit rather than dropping them', () => {
    const out = translate(shop.tr, 'customers with more than 10 orders');
    expect(out).toMatchObject({ ok: false, code: 'NOT_UNDERSTOOD' });
    expect(out.ok ? '' : out.message).toBe(
      'I could not tell how "more than", "10" fit the question.',
    );
    expect(translate(shop.tr, 'total revenue of the top 5 products')).toMatchObject({
      ok: false,
      code: 'NOT_UNDERSTOOD',
    });
  });

  it('reports several readings as AMBIGUOUS instead of picking one', () => {
    expect(translate(shop.tr, 'Revenue per customer')).toMatchObject({
      ok: false,
      code: 'AMBIGUOUS',
      readings: ['sum of revenue by customer', 'average per customer'],
    });
    const counted = translate(shop.tr, 'How many products per country?');
    expect(counted).toMatchObject({ ok: false, code: 'AMBIGUOUS' });
    expect(counted.ok ? [] : counted.readings).toHaveLength(2);
    // How many to rank is never guessed.
    expect(translate(shop.tr, 'Which customers placed the most orders?')).toMatchObject({
      ok: false,
      code: 'AMBIGUOUS',
      readings: [
        'the customer with the highest count of orders',
        'top 10 customers by count of orders',
      ],
    });
    expect(translate(shop.tr, 'Top products by revenue')).toMatchObject({
      ok: false,
      readings: ['top 5 products by sum of revenue', 'top 10 products by sum of revenue'],
    });
    // Customers without orders make "average per customer" two different numbers.
    expect(translate(shop.tr, 'Average number of orders per customer')).toMatchObject({
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
    expect(translate(shop.tr, 'only 2024')).toMatchObject({ ok: false, code: 'NOT_UNDERSTOOD' });
  });
});
