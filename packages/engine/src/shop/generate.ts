// Fills an empty database with the shop dataset's rows, drawing everything from one seeded
// PRNG in a fixed order: change anything here and bump SHOP_VERSION in ../shop.ts.
import type Database from 'better-sqlite3';
import { DAYS, date, seasonalDay } from './calendar.ts';
import { gaussian, mulberry32, pick, type Rng, sampler, weightedPicker } from './random.ts';
import { SCHEMA } from './schema.ts';
import {
  ADJECTIVES,
  CATEGORIES,
  CHANNELS,
  COUNTRIES,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  GENERAL_POSTS,
  LAST_NAMES,
  PLATFORMS,
  PRODUCT_POSTS,
  SEGMENTS,
} from './vocabulary.ts';

const SEED = 0x5eed_5409;

const CUSTOMERS = 12_000;
const PRODUCTS = 480;
const ORDERS = 83_000; // × ~2.64 distinct products per order ≈ 219k order_items
const POSTS = 30_000;

const cents = (n: number): number => Math.round(n * 100) / 100;

export function generate(db: Database.Database): void {
  const rng = mulberry32(SEED);
  db.exec(SCHEMA);

  // customers: a base that signed up in the first two months, then steady sign-ups, so
  // the number of active customers (and orders) grows through the three years.
  const pickCountry = weightedPicker(COUNTRIES);
  const pickSegment = weightedPicker(SEGMENTS);
  const insertCustomer = db.prepare(
    'INSERT INTO customers (id, name, email, country, city, signup_date, segment) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const signupDay = new Int32Array(CUSTOMERS + 1);
  const activity: number[] = [];
  const signups = Array.from({ length: CUSTOMERS }, () =>
    Math.floor(rng() * (rng() < 0.2 ? 60 : DAYS - 30)),
  );
  signups.sort((a, b) => a - b); // ids follow sign-up order, as in a real table
  for (let id = 1; id <= CUSTOMERS; id++) {
    const first = pick(rng, FIRST_NAMES);
    const last = pick(rng, LAST_NAMES);
    const [country, cities] = pickCountry(rng);
    const day = signups[id - 1] as number;
    signupDay[id] = day;
    const local = `${first}.${last}`
      .normalize('NFD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    insertCustomer.run(
      id,
      `${first} ${last}`,
      `${local}${id}@${pick(rng, EMAIL_DOMAINS)}`,
      country,
      pick(rng, cities),
      date(day),
      pickSegment(rng),
    );
    // A few customers order a lot, most rarely (log-normal rate); the expected count also
    // scales with how long they have been a customer, so late sign-ups do not order in bursts.
    activity.push(Math.exp(gaussian(rng)) * (DAYS - day));
  }

  // products: category sizes are skewed; popularity follows a Zipf-like curve.
  const pickCategory = weightedPicker(CATEGORIES.map((c) => [c, c.weight] as const));
  const insertProduct = db.prepare(
    'INSERT INTO products (id, name, category, price) VALUES (?, ?, ?, ?)',
  );
  const productNames: string[] = [''];
  const productPrice: number[] = [0];
  const popularity: number[] = [];
  const usedNames = new Set<string>();
  for (let id = 1; id <= PRODUCTS; id++) {
    const category = pickCategory(rng);
    let name = `${pick(rng, ADJECTIVES)} ${pick(rng, category.nouns)}`;
    for (let n = 2; usedNames.has(name); n++) name = `${name.replace(/ \d+$/, '')} ${n}`;
    usedNames.add(name);
    const [lo, hi] = category.price;
    const price = Math.max(1, Math.round(lo * (hi / lo) ** rng())) - 0.01;
    insertProduct.run(id, name, category.name, price);
    productNames.push(name);
    productPrice.push(price);
    popularity.push(1 / (Math.floor(rng() * PRODUCTS) + 8) ** 0.9);
  }
  const drawProduct = sampler(popularity);
  const pickProduct = (r: Rng): number => drawProduct(r) + 1;
  const drawCustomer = sampler(activity);
  const pickCustomer = (r: Rng): number => drawCustomer(r) + 1;

  // orders: generated first, then numbered in date order like an autoincrementing table.
  const pickChannel = weightedPicker(CHANNELS);
  const itemCounts = sampler([30, 25, 18, 12, 8, 4, 3]);
  const orders: { customer: number; day: number }[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const customer = pickCustomer(rng);
    orders.push({ customer, day: seasonalDay(rng, signupDay[customer] as number) });
  }
  orders.sort((a, b) => a.day - b.day || a.customer - b.customer);

  const insertOrder = db.prepare(
    'INSERT INTO orders (id, customer_id, order_date, status, channel) VALUES (?, ?, ?, ?, ?)',
  );
  const insertItem = db.prepare(
    'INSERT INTO order_items (id, order_id, product_id, quantity, unit_price) VALUES (?, ?, ?, ?, ?)',
  );
  let itemId = 0;
  orders.forEach((order, index) => {
    const id = index + 1;
    const age = DAYS - 1 - order.day;
    const r = rng();
    const status =
      age < 3
        ? 'processing'
        : age < 10 && r < 0.7
          ? 'shipped'
          : r < 0.04
            ? 'cancelled'
            : r < 0.09
              ? 'returned'
              : 'delivered';
    insertOrder.run(id, order.customer, date(order.day), status, pickChannel(rng));
    const lines = itemCounts(rng) + 1;
    const seen = new Set<number>();
    for (let k = 0; k < lines; k++) {
      const product = pickProduct(rng);
      if (seen.has(product)) continue;
      seen.add(product);
      const q = rng();
      const quantity = q < 0.72 ? 1 : q < 0.9 ? 2 : q < 0.97 ? 3 : 4 + Math.floor(rng() * 3);
      const base = productPrice[product] as number;
      // Occasional discounts, so unit_price is not always the list price.
      const unitPrice = rng() < 0.12 ? cents(base * (0.7 + rng() * 0.25)) : base;
      insertItem.run(++itemId, id, product, quantity, unitPrice);
    }
  });

  // posts: social mentions, most about a product, with heavy-tailed engagement.
  const pickPlatform = weightedPicker(PLATFORMS);
  const insertPost = db.prepare(
    'INSERT INTO posts (id, customer_id, product_id, posted_at, platform, content, likes, comments, shares) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const posts: { customer: number; day: number; seconds: number }[] = [];
  for (let i = 0; i < POSTS; i++) {
    const customer = pickCustomer(rng);
    posts.push({
      customer,
      day: seasonalDay(rng, signupDay[customer] as number),
      seconds: Math.floor(rng() * 86_400),
    });
  }
  posts.sort((a, b) => a.day - b.day || a.seconds - b.seconds || a.customer - b.customer);
  posts.forEach((post, index) => {
    const [platform, reach] = pickPlatform(rng);
    const product = rng() < 0.65 ? pickProduct(rng) : null;
    const content =
      product === null
        ? pick(rng, GENERAL_POSTS)
        : pick(rng, PRODUCT_POSTS).replace('{p}', productNames[product] as string);
    const likes = Math.floor(Math.exp(reach + gaussian(rng) * 1.3));
    const time = new Date(post.seconds * 1000).toISOString().slice(11, 19);
    insertPost.run(
      index + 1,
      post.customer,
      product,
      `${date(post.day)} ${time}`,
      platform,
      content,
      likes,
      Math.floor(likes * (0.02 + rng() * 0.08)),
      Math.floor(likes * rng() * 0.05),
    );
  });
}
