// axe-core in Chromium: injects the engine into a page and sums its violations by impact, so a
// test can assert on the serious ones and the measurement can print every count.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

// Evaluated through the DevTools protocol rather than added as a <script>: the app's CSP
// (script-src 'self') rightly refuses inline scripts, and the test must not weaken it.
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface AxeViolation {
  id: string;
  impact: Impact | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

export interface AxeSummary {
  violations: AxeViolation[];
  /** Violated rules per impact. */
  rules: Record<Impact, number>;
  /** Offending elements per impact. */
  nodes: Record<Impact, number>;
}

/** Runs axe over the whole document as it is now (WCAG 2.x A/AA and best practices). */
export async function runAxe(page: Page): Promise<AxeSummary> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => unknown } })
      .axe;
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: AxeViolation[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  const rules: Record<Impact, number> = { minor: 0, moderate: 0, serious: 0, critical: 0 };
  const nodes: Record<Impact, number> = { minor: 0, moderate: 0, serious: 0, critical: 0 };
  for (const v of violations) {
    const impact = v.impact ?? 'minor';
    rules[impact] += 1;
    nodes[impact] += v.nodes.length;
  }
  return { violations, rules, nodes };
}

/** The serious and critical violations, one readable line each, for an assertion message. */
export function severe(summary: AxeSummary): string[] {
  return summary.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}
