// The curated semantic model of the `shop` demo: the inferred model refined with what a person
// means by revenue, spending, "expensive", "signed up" or "mention", written in the same file
// format a user puts next to their own `.db`.
import type { SemanticModelFile } from './model-file.ts';

export const SHOP_MODEL: SemanticModelFile = {
  entities: {
    customers: {
      synonyms: ['client', 'buyer', 'shopper'],
      label: 'name',
      hide: ['email'],
      dimensions: {
        name: { name: 'customer name' },
        country: {
          synonyms: ['nation', 'market'],
          valueSynonyms: {
            'United States': ['US', 'USA', 'America', 'United States of America'],
            'United Kingdom': ['UK', 'Britain', 'Great Britain'],
          },
        },
        segment: {
          synonyms: ['customer type', 'customer group'],
          valueSynonyms: { small_business: ['small business', 'smb'], consumer: ['consumers'] },
        },
      },
      times: {
        signup_date: {
          synonyms: ['signed up', 'sign up', 'signup', 'joined', 'registered', 'registration'],
        },
      },
    },
    products: {
      synonyms: ['article'],
      label: 'name',
      dimensions: { name: { name: 'product name' }, category: { synonyms: ['product type'] } },
      measures: {
        price: {
          agg: 'avg',
          synonyms: ['list price', 'cost'],
          high: ['expensive', 'most expensive', 'priciest', 'costly', 'pricey'],
          low: ['cheap', 'cheapest', 'inexpensive', 'least expensive'],
        },
      },
    },
    orders: {
      synonyms: ['purchase'],
      dimensions: {
        status: { synonyms: ['order status', 'state'] },
        channel: {
          synonyms: ['sales channel'],
          valueSynonyms: { mobile_app: ['mobile', 'app', 'mobile app'] },
        },
      },
      times: { order_date: { synonyms: ['ordered', 'purchased', 'order date'] } },
    },
    order_items: {
      name: 'order item',
      synonyms: ['line item', 'order line', 'item'],
      verbs: ['bought', 'sold'],
      measures: {
        revenue: {
          expr: 'quantity * unit_price',
          agg: 'sum',
          synonyms: [
            'sales',
            'spending',
            'spend',
            'spent',
            'turnover',
            'income',
            'money',
            'gross sales',
          ],
          time: 'orders.order_date',
        },
        quantity: {
          agg: 'sum',
          synonyms: ['units', 'units sold', 'quantity sold', 'items sold', 'quantities', 'selling'],
          time: 'orders.order_date',
        },
        'unit price': { expr: 'unit_price', agg: 'avg', synonyms: ['selling price'] },
        'average order value': {
          sql: 'sum(quantity * unit_price) / count(DISTINCT order_id)',
          synonyms: ['aov', 'average basket', 'average basket size', 'average order size'],
          time: 'orders.order_date',
        },
      },
    },
    posts: {
      synonyms: ['social post', 'social media post'],
      verbs: ['wrote'],
      hide: ['content'],
      dimensions: { platform: { synonyms: ['social network', 'network', 'social media', 'site'] } },
      measures: {
        likes: { agg: 'sum' },
        comments: { agg: 'sum' },
        shares: { agg: 'sum', synonyms: ['reposts'] },
        engagement: { expr: 'likes + comments + shares', agg: 'sum', synonyms: ['interactions'] },
      },
      times: { posted_at: { synonyms: ['posted', 'post date'] } },
    },
  },
  joins: [
    {
      from: 'posts.product_id',
      to: 'products.id',
      synonyms: ['mention', 'mentions', 'mentioning', 'mentioned', 'feature'],
    },
  ],
};
