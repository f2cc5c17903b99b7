// The `shop` demo dataset: a SQLite file generated deterministically from a seeded PRNG on
// first use (no download), then reused. Same code and seed give the same rows, byte for byte.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export const SHOP_DATASET_ID = 'shop';

// Bumped whenever the generator changes, so an old file on disk is rebuilt instead of
// silently disagreeing with the code (and with anything that documents the data).
const SHOP_VERSION = 1;
const SEED = 0x5eed_5409;

const CUSTOMERS = 12_000;
const PRODUCTS = 480;
const ORDERS = 83_000; // × ~2.64 distinct products per order ≈ 219k order_items
const POSTS = 30_000;

const FIRST_DAY = Date.UTC(2022, 0, 1);
const DAYS = 1096; // 2022-01-01 … 2024-12-31
const DAY_MS = 86_400_000;

const SCHEMA = `
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  country TEXT NOT NULL,
  city TEXT NOT NULL,
  signup_date TEXT NOT NULL,
  segment TEXT NOT NULL
);
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  price REAL NOT NULL
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  order_date TEXT NOT NULL,
  status TEXT NOT NULL,
  channel TEXT NOT NULL
);
CREATE TABLE order_items (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  product_id INTEGER NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL,
  unit_price REAL NOT NULL
);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  product_id INTEGER REFERENCES products(id),
  posted_at TEXT NOT NULL,
  platform TEXT NOT NULL,
  content TEXT NOT NULL,
  likes INTEGER NOT NULL,
  comments INTEGER NOT NULL,
  shares INTEGER NOT NULL
);
CREATE INDEX orders_customer_id ON orders(customer_id);
CREATE INDEX orders_order_date ON orders(order_date);
CREATE INDEX order_items_order_id ON order_items(order_id);
CREATE INDEX order_items_product_id ON order_items(product_id);
CREATE INDEX posts_customer_id ON posts(customer_id);
CREATE INDEX posts_product_id ON posts(product_id);
`;

type Weighted<T> = readonly (readonly [T, number])[];

const COUNTRIES: Weighted<readonly [string, readonly string[]]> = [
  [['United States', ['New York', 'Los Angeles', 'Chicago', 'Houston', 'Seattle', 'Austin']], 30],
  [['United Kingdom', ['London', 'Manchester', 'Birmingham', 'Leeds', 'Glasgow']], 12],
  [['Germany', ['Berlin', 'Munich', 'Hamburg', 'Cologne', 'Frankfurt']], 10],
  [['France', ['Paris', 'Lyon', 'Marseille', 'Toulouse']], 8],
  [['Canada', ['Toronto', 'Vancouver', 'Montreal', 'Calgary']], 7],
  [['Australia', ['Sydney', 'Melbourne', 'Brisbane', 'Perth']], 5],
  [['Netherlands', ['Amsterdam', 'Rotterdam', 'Utrecht']], 4],
  [['Spain', ['Madrid', 'Barcelona', 'Valencia', 'Seville']], 4],
  [['Italy', ['Rome', 'Milan', 'Naples', 'Turin']], 4],
  [['Sweden', ['Stockholm', 'Gothenburg', 'Malmö']], 3],
  [['Japan', ['Tokyo', 'Osaka', 'Yokohama']], 3],
  [['Brazil', ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte']], 3],
  [['India', ['Mumbai', 'Bengaluru', 'Delhi', 'Pune']], 3],
  [['Mexico', ['Mexico City', 'Guadalajara', 'Monterrey']], 2],
  [['Poland', ['Warsaw', 'Kraków', 'Wrocław']], 2],
];

const SEGMENTS: Weighted<string> = [
  ['consumer', 70],
  ['small_business', 22],
  ['enterprise', 8],
];

const FIRST_NAMES: readonly string[] = (
  'James,Mary,Robert,Patricia,John,Jennifer,Michael,Linda,David,Elizabeth,William,' +
  'Barbara,Richard,Susan,Joseph,Jessica,Thomas,Sarah,Charles,Karen,Daniel,Lisa,' +
  'Matthew,Nancy,Anthony,Sandra,Mark,Ashley,Emma,Liam,Olivia,Noah,Sophie,Lukas,Léa,' +
  'Hugo,Mia,Finn,Yuki,Haruto,Aarav,Priya,Lucas,Julia,Mateo,Sofia,Jan,Zofia,Elsa,' +
  'Omar'
).split(',');

const LAST_NAMES: readonly string[] = (
  'Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Rodriguez,Martinez,' +
  'Wilson,Anderson,Taylor,Thomas,Moore,Jackson,Martin,Lee,Thompson,White,Harris,' +
  'Clark,Lewis,Walker,Young,King,Müller,Schmidt,Schneider,Dubois,Laurent,Rossi,' +
  'Bianchi,Silva,Santos,Kowalski,Nowak,Andersson,Johansson,Tanaka,Suzuki,Sato,' +
  'Patel,Sharma,Hernández,López,de Vries,Jansen,Novak,Khan'
).split(',');

const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'] as const;

interface CategorySpec {
  readonly name: string;
  readonly weight: number;
  readonly price: readonly [number, number];
  readonly nouns: readonly string[];
}

const CATEGORIES: readonly CategorySpec[] = [
  {
    name: 'Books',
    weight: 18,
    price: [6, 60],
    nouns: ['Novel', 'Cookbook', 'Atlas', 'Biography', 'Guide', 'Anthology', 'Handbook'],
  },
  {
    name: 'Clothing',
    weight: 16,
    price: [8, 180],
    nouns: ['T-Shirt', 'Hoodie', 'Jacket', 'Jeans', 'Sneakers', 'Scarf', 'Dress'],
  },
  {
    name: 'Electronics',
    weight: 14,
    price: [15, 1500],
    nouns: ['Headphones', 'Speaker', 'Monitor', 'Keyboard', 'Charger', 'Tablet', 'Camera'],
  },
  {
    name: 'Home & Kitchen',
    weight: 14,
    price: [5, 400],
    nouns: ['Skillet', 'Kettle', 'Blender', 'Lamp', 'Throw Blanket', 'Knife Set', 'Mug'],
  },
  {
    name: 'Beauty',
    weight: 9,
    price: [4, 90],
    nouns: ['Serum', 'Moisturizer', 'Shampoo', 'Lip Balm', 'Face Mask', 'Perfume'],
  },
  {
    name: 'Sports',
    weight: 8,
    price: [8, 500],
    nouns: ['Yoga Mat', 'Dumbbells', 'Running Shoes', 'Water Bottle', 'Bike Helmet', 'Tent'],
  },
  {
    name: 'Toys',
    weight: 7,
    price: [5, 150],
    nouns: ['Puzzle', 'Building Set', 'Plush Bear', 'Board Game', 'Kite', 'Robot Kit'],
  },
  {
    name: 'Grocery',
    weight: 6,
    price: [2, 40],
    nouns: ['Coffee Beans', 'Green Tea', 'Olive Oil', 'Granola', 'Dark Chocolate', 'Honey'],
  },
  {
    name: 'Garden',
    weight: 4,
    price: [6, 350],
    nouns: ['Planter', 'Hose', 'Pruning Shears', 'Seed Kit', 'Bird Feeder', 'Lawn Chair'],
  },
  {
    name: 'Office',
    weight: 4,
    price: [2, 250],
    nouns: ['Notebook', 'Desk Organizer', 'Fountain Pen', 'Desk Chair', 'Stapler', 'Planner'],
  },
];

const ADJECTIVES: readonly string[] = (
  'Aurora,Summit,Nimbus,Harbor,Cedar,Vertex,Lumen,Juniper,Atlas,Nova,Willow,Orbit,' +
  'Maple,Zephyr,Coral,Granite,Velvet,Pioneer,Ember,Tidal'
).split(',');

const CHANNELS: Weighted<string> = [
  ['web', 55],
  ['mobile_app', 30],
  ['marketplace', 10],
  ['phone', 5],
];

const PLATFORMS: Weighted<readonly [string, number]> = [
  // [platform, mean log-likes]: reach differs by platform.
  [['instagram', 3.2], 30],
  [['tiktok', 3.8], 22],
  [['x', 2.4], 18],
  [['facebook', 2.2], 14],
  [['reddit', 2.8], 10],
  [['youtube', 3.5], 6],
];

const PRODUCT_POSTS = [
  'Just got the {p} and I love it!',
  'The {p} arrived two days early. Impressed.',
  'Honest review: the {p} is worth every penny.',
  'Not sure about the {p}, the quality feels a bit cheap.',
  'Returned the {p}. It did not match the photos.',
  'Second {p} this year, still my favourite.',
  'Anyone else tried the {p}? Thinking of buying another.',
  'The {p} went straight into my gift list.',
] as const;

const GENERAL_POSTS = [
  'Fast delivery again, thanks!',
  'Customer support sorted my order in minutes.',
  'Waiting a week for my parcel, not great.',
  'Big sale this weekend, go check it out.',
  'Best online shop for gifts, hands down.',
  'Packaging could use less plastic.',
] as const;

/** mulberry32: tiny, fast, and good enough for demo data; fully determined by its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function gaussian(rng: Rng): number {
  // Box–Muller; 1 - rng() keeps log away from 0.
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Draws indexes in proportion to weights by binary search over the cumulative sums. */
function sampler(weights: readonly number[]): (rng: Rng) => number {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => {
    total += w;
    cumulative[i] = total;
  });
  return (rng) => {
    const target = rng() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

function weightedPicker<T>(items: Weighted<T>): (rng: Rng) => T {
  const draw = sampler(items.map(([, w]) => w));
  return (rng) => (items[draw(rng)] as readonly [T, number])[0];
}

const DATES = Array.from({ length: DAYS }, (_, d) =>
  new Date(FIRST_DAY + d * DAY_MS).toISOString().slice(0, 10),
);
const date = (day: number): string => DATES[day] as string;

// Relative order volume per day: a Nov/Dec peak, a summer lull, busier weekends and a
// Black Friday week, so monthly aggregates show a visible seasonal shape.
const MONTH_WEIGHT = [0.8, 0.72, 0.85, 0.85, 0.9, 0.82, 0.78, 0.8, 0.9, 1, 1.45, 1.7];
const DAY_WEIGHT = DATES.map((iso) => {
  const d = new Date(`${iso}T00:00:00Z`);
  const month = d.getUTCMonth();
  const weekday = d.getUTCDay();
  let w = MONTH_WEIGHT[month] as number;
  if (weekday === 0 || weekday === 6) w *= 1.25;
  if (month === 10 && d.getUTCDate() >= 22) w *= 1.8;
  return w;
});
const MAX_DAY_WEIGHT = Math.max(...DAY_WEIGHT);

/** A seasonal day in [from, DAYS) by rejection sampling against DAY_WEIGHT. */
function seasonalDay(rng: Rng, from: number): number {
  for (;;) {
    const day = from + Math.floor(rng() * (DAYS - from));
    if (rng() * MAX_DAY_WEIGHT < (DAY_WEIGHT[day] as number)) return day;
  }
}

const cents = (n: number): number => Math.round(n * 100) / 100;

function generate(db: Database.Database): void {
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

function isCurrent(path: string): boolean {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('user_version', { simple: true }) === SHOP_VERSION;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * Generates the shop dataset at `path` unless a current one is already there. Writes to a
 * per-process temporary file and renames it into place, so a crash (or a second process
 * generating at the same time) never leaves a half-written dataset at `path`.
 */
export function ensureShopDataset(path: string): { created: boolean; ms: number } {
  const started = performance.now();
  if (existsSync(path) && isCurrent(path)) {
    return { created: false, ms: performance.now() - started };
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  try {
    const db = new Database(tmp);
    try {
      // No journal while building: the temporary file is thrown away on any failure anyway.
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.transaction(() => generate(db))();
      db.exec('ANALYZE');
      db.pragma(`user_version = ${SHOP_VERSION}`);
      // DELETE mode leaves no -wal/-shm beside the file, so readers can open it read-only.
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { created: true, ms: performance.now() - started };
}
