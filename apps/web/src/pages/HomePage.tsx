// The start page: what Querylane does, questions to ask about the demo dataset, and example SQL;
// each fills the composer in its own mode.
import { useComposer } from '../composer-store.ts';

// Questions the offline translator answers on the `shop` dataset (the demo).
const QUESTIONS = [
  'Revenue by channel in 2024',
  'Top 5 products by revenue',
  'How many customers are in each segment?',
  'Monthly revenue in 2022',
  'Which platform has the most posts?',
  'Number of returned orders per channel',
];

const EXAMPLES: { label: string; sql: string }[] = [
  {
    label: 'Products per category',
    sql: 'SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category',
  },
  {
    label: 'Orders per channel',
    sql: 'SELECT channel, count(*) AS orders FROM orders GROUP BY channel ORDER BY orders DESC',
  },
  {
    label: 'Revenue by category',
    sql: 'SELECT p.category, round(sum(oi.quantity * oi.unit_price), 2) AS revenue\nFROM order_items oi JOIN products p ON p.id = oi.product_id\nGROUP BY p.category ORDER BY revenue DESC',
  },
  {
    label: 'Orders per month',
    sql: 'SELECT substr(order_date, 1, 7) AS month, count(*) AS orders\nFROM orders GROUP BY month ORDER BY month',
  },
  {
    label: 'Engagement by platform',
    sql: 'SELECT platform, avg(likes) AS avg_likes, avg(shares) AS avg_shares FROM posts GROUP BY platform',
  },
  {
    // Joins ~220k order items to themselves per customer: a couple of seconds, enough to
    // watch every stage go by.
    label: 'Bought together (heavy, a few seconds)',
    sql: 'WITH cp AS (\n  SELECT DISTINCT o.customer_id, oi.product_id\n  FROM orders o JOIN order_items oi ON oi.order_id = o.id\n)\nSELECT pa.name AS product, pb.name AS also_bought, count(*) AS customers\nFROM cp a JOIN cp b ON a.customer_id = b.customer_id AND a.product_id < b.product_id\nJOIN products pa ON pa.id = a.product_id JOIN products pb ON pb.id = b.product_id\nGROUP BY a.product_id, b.product_id ORDER BY customers DESC LIMIT 25',
  },
];

export default function HomePage() {
  const composer = useComposer();
  return (
    <div className="thread-empty" data-testid="home">
      <h1>Ask your data a question</h1>
      <p className="muted">
        Ask in plain words below and watch the answer being worked out, step by step; switch to{' '}
        <strong>SQL</strong> to write read-only SQL and run it with <kbd>Ctrl</kbd> +{' '}
        <kbd>Enter</kbd>. Everything is kept in a conversation you can come back to. Press{' '}
        <kbd>?</kbd> for keyboard shortcuts.
      </p>
      <h2 className="examples-title">Questions to try</h2>
      <ul className="example-questions home-questions">
        {QUESTIONS.map((q) => (
          <li key={q}>
            <button
              type="button"
              className="btn example-question"
              onClick={() => composer.fill(q, 'question')}
            >
              {q}
            </button>
          </li>
        ))}
      </ul>
      <h2 className="examples-title">Or start from SQL</h2>
      <ul className="examples">
        {EXAMPLES.map((ex) => (
          <li key={ex.label}>
            <button type="button" className="example" onClick={() => composer.fill(ex.sql, 'sql')}>
              <strong>{ex.label}</strong>
              <code>{ex.sql}</code>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
