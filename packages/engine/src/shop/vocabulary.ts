// The shop dataset's vocabulary: countries, names, product categories, channels, platforms
// and post templates, each with the weights the generator draws them by.
import type { Weighted } from './random.ts';

export const COUNTRIES: Weighted<readonly [string, readonly string[]]> = [
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

export const SEGMENTS: Weighted<string> = [
  ['consumer', 70],
  ['small_business', 22],
  ['enterprise', 8],
];

export const FIRST_NAMES: readonly string[] = (
  'James,Mary,Robert,Patricia,John,Jennifer,Michael,Linda,David,Elizabeth,William,' +
  'Barbara,Richard,Susan,Joseph,Jessica,Thomas,Sarah,Charles,Karen,Daniel,Lisa,' +
  'Matthew,Nancy,Anthony,Sandra,Mark,Ashley,Emma,Liam,Olivia,Noah,Sophie,Lukas,Léa,' +
  'Hugo,Mia,Finn,Yuki,Haruto,Aarav,Priya,Lucas,Julia,Mateo,Sofia,Jan,Zofia,Elsa,' +
  'Omar'
).split(',');

export const LAST_NAMES: readonly string[] = (
  'Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Rodriguez,Martinez,' +
  'Wilson,Anderson,Taylor,Thomas,Moore,Jackson,Martin,Lee,Thompson,White,Harris,' +
  'Clark,Lewis,Walker,Young,King,Müller,Schmidt,Schneider,Dubois,Laurent,Rossi,' +
  'Bianchi,Silva,Santos,Kowalski,Nowak,Andersson,Johansson,Tanaka,Suzuki,Sato,' +
  'Patel,Sharma,Hernández,López,de Vries,Jansen,Novak,Khan'
).split(',');

export const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'] as const;

export interface CategorySpec {
  readonly name: string;
  readonly weight: number;
  readonly price: readonly [number, number];
  readonly nouns: readonly string[];
}

// One category a row: name, weight, price range, and the nouns its product names end in.
const CATEGORY_ROWS: readonly (readonly [string, number, readonly [number, number], string])[] = [
  ['Books', 18, [6, 60], 'Novel,Cookbook,Atlas,Biography,Guide,Anthology,Handbook'],
  ['Clothing', 16, [8, 180], 'T-Shirt,Hoodie,Jacket,Jeans,Sneakers,Scarf,Dress'],
  ['Electronics', 14, [15, 1500], 'Headphones,Speaker,Monitor,Keyboard,Charger,Tablet,Camera'],
  ['Home & Kitchen', 14, [5, 400], 'Skillet,Kettle,Blender,Lamp,Throw Blanket,Knife Set,Mug'],
  ['Beauty', 9, [4, 90], 'Serum,Moisturizer,Shampoo,Lip Balm,Face Mask,Perfume'],
  ['Sports', 8, [8, 500], 'Yoga Mat,Dumbbells,Running Shoes,Water Bottle,Bike Helmet,Tent'],
  ['Toys', 7, [5, 150], 'Puzzle,Building Set,Plush Bear,Board Game,Kite,Robot Kit'],
  ['Grocery', 6, [2, 40], 'Coffee Beans,Green Tea,Olive Oil,Granola,Dark Chocolate,Honey'],
  ['Garden', 4, [6, 350], 'Planter,Hose,Pruning Shears,Seed Kit,Bird Feeder,Lawn Chair'],
  ['Office', 4, [2, 250], 'Notebook,Desk Organizer,Fountain Pen,Desk Chair,Stapler,Planner'],
];

export const CATEGORIES: readonly CategorySpec[] = CATEGORY_ROWS.map(
  ([name, weight, price, nouns]) => ({ name, weight, price, nouns: nouns.split(',') }),
);

export const ADJECTIVES: readonly string[] = (
  'Aurora,Summit,Nimbus,Harbor,Cedar,Vertex,Lumen,Juniper,Atlas,Nova,Willow,Orbit,' +
  'Maple,Zephyr,Coral,Granite,Velvet,Pioneer,Ember,Tidal'
).split(',');

export const CHANNELS: Weighted<string> = [
  ['web', 55],
  ['mobile_app', 30],
  ['marketplace', 10],
  ['phone', 5],
];

export const PLATFORMS: Weighted<readonly [string, number]> = [
  // [platform, mean log-likes]: reach differs by platform.
  [['instagram', 3.2], 30],
  [['tiktok', 3.8], 22],
  [['x', 2.4], 18],
  [['facebook', 2.2], 14],
  [['reddit', 2.8], 10],
  [['youtube', 3.5], 6],
];

export const PRODUCT_POSTS = [
  'Just got the {p} and I love it!',
  'The {p} arrived two days early. Impressed.',
  'Honest review: the {p} is worth every penny.',
  'Not sure about the {p}, the quality feels a bit cheap.',
  'Returned the {p}. It did not match the photos.',
  'Second {p} this year, still my favourite.',
  'Anyone else tried the {p}? Thinking of buying another.',
  'The {p} went straight into my gift list.',
] as const;

export const GENERAL_POSTS = [
  'Fast delivery again, thanks!',
  'Customer support sorted my order in minutes.',
  'Waiting a week for my parcel, not great.',
  'Big sale this weekend, go check it out.',
  'Best online shop for gifts, hands down.',
  'Packaging could use less plastic.',
] as const;
