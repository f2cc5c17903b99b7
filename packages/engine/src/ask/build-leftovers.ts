// The last pass of the frame builder: what no other pass took must fit as a plain measure, a
// counted or listed entity, a presence filter ("posts with a product") or context.
import { addMeasure, measureOf, peek, type State, slot, tablesInUse, use } from './build-state.ts';

const PRESENCE = new Set(['with', 'having', 'has', 'have', 'about', 'that have', 'that has']);

export function readLeftovers(st: State): void {
  const { slots } = st;
  // Measures first: "product revenue" is revenue, with the product as context.
  slots.forEach((s, i) => {
    if (s.used || s.term.t !== 'measure') return;
    const m = measureOf(st, s.term.table, s.term.measure);
    const base = { table: s.term.table, measure: s.term.measure };
    const index = addMeasure(
      st,
      m.sql ? { kind: 'derived', ...base } : { kind: 'aggregate', ...base, agg: null },
    );
    st.slotMeasure.set(i, index);
    if (st.frame.rank?.measure === -1) st.frame.rank.measure = index;
    use(st, i);
  });
  slots.forEach((s, i) => {
    if (s.used) return;
    const t = s.term;
    if (t.t === 'verb') {
      if (!st.frame.context.includes(t.table)) st.frame.context.push(t.table);
      use(st, i);
    } else if (t.t === 'join') {
      const j = peek(st, i);
      const target = slot(st, j);
      if (target && !target.used && target.term.t === 'entity' && target.term.table === t.to) {
        st.frame.filters.push({ kind: 'present', from: t.from, column: t.column, to: t.to });
        use(st, i, j);
      } else if (!st.frame.context.includes(t.from)) {
        st.frame.context.push(t.from);
        use(st, i);
      }
    }
  });
  slots.forEach((s, i) => {
    if (s.used || s.term.t !== 'entity') return;
    const table = s.term.table;
    if (st.fragment && st.frame.filters.length > 0) {
      // "only returned orders": the orders place the filter; the previous turn says what to measure.
      if (!st.frame.context.includes(table)) st.frame.context.push(table);
      use(st, i);
      return;
    }
    if (st.frame.measures.length === 0) {
      // Rows to rank or list, or (with a breakdown) rows to count: "orders by status".
      const counted = (st.frame.groups.length > 0 && !st.frame.rank) || st.frame.share;
      if (counted) st.frame.measures.push({ kind: 'count', table });
      else if (st.frame.groups.length === 0) st.frame.groups.push({ kind: 'entity', table });
      else return;
      use(st, i);
      return;
    }
    if (st.frame.rank && st.frame.groups.length === 0) {
      st.frame.groups.push({ kind: 'entity', table });
      use(st, i);
      return;
    }
    if (tablesInUse(st).has(table)) {
      use(st, i);
      return;
    }
    // "posts with a product": rows whose foreign key to it is set.
    const before = slots[i - 1]?.words.toLowerCase() ?? '';
    const before2 = slots[i - 2]?.words.toLowerCase() ?? '';
    if (
      PRESENCE.has(before) ||
      ((before === 'a' || before === 'an' || before === 'any') && PRESENCE.has(before2))
    ) {
      const users = [...tablesInUse(st)];
      const joins = st.model.joins.filter((j) => j.to === table && users.includes(j.from));
      if (joins.length === 1) {
        const j = joins[0] as (typeof joins)[number];
        st.frame.filters.push({ kind: 'present', from: j.from, column: j.fromColumn, to: j.to });
        use(st, i);
      }
    }
    if (st.slots[i]?.used) return;
    // Any other entity only places the question ("members who borrowed books"): it is joined,
    // which also keeps only rows that have one.
    st.frame.context.push(table);
    use(st, i);
  });
  slots.forEach((s, i) => {
    if (s.used || s.term.t !== 'dimension') return;
    // "What categories are there?", "list the channels": the values, with how many rows each.
    const plain = st.frame.filters.every((f) => f.kind === 'values' || f.kind === 'range');
    if (st.frame.measures.length === 0 && st.frame.groups.length === 0 && !st.fragment && plain) {
      st.frame.groups.push({ kind: 'dimension', table: s.term.table, column: s.term.column });
      st.frame.measures.push({ kind: 'count', table: s.term.table });
      use(st, i);
    } else if (st.frame.rank && st.frame.groups.length === 0) {
      st.frame.groups.push({ kind: 'dimension', table: s.term.table, column: s.term.column });
      use(st, i);
    }
  });
}
