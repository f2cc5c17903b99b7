// The seeded randomness behind the shop dataset: one PRNG and the pickers and samplers that
// draw from it, so the same seed always draws the same values in the same order.

export type Weighted<T> = readonly (readonly [T, number])[];

/** mulberry32: tiny, fast, and good enough for demo data; fully determined by its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

export function gaussian(rng: Rng): number {
  // Box–Muller; 1 - rng() keeps log away from 0.
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Draws indexes in proportion to weights by binary search over the cumulative sums. */
export function sampler(weights: readonly number[]): (rng: Rng) => number {
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

export function weightedPicker<T>(items: Weighted<T>): (rng: Rng) => T {
  const draw = sampler(items.map(([, w]) => w));
  return (rng) => (items[draw(rng)] as readonly [T, number])[0];
}
