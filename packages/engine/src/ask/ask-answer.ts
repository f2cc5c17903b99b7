// The interpret → review half of a question run: an answer from the model (streamed as
// `answer` events, at most ten a second) or from the template; every claim is reviewed against
// the result, a wrong answer goes back with its faults at most twice, then the template answers.
import type { ColumnProfile } from '@querylane/contracts';
import { QueryError } from '../errors.ts';
import { templateAnswer } from './answer.ts';
import { coalesce } from './coalesce.ts';
import type { ModelClient } from './model-client.ts';
import type { StageReporter } from './progress.ts';
import { answerMessages } from './prompts.ts';
import { reviewAnswer } from './review.ts';

export const MAX_ANSWER_ATTEMPTS = 3;

export interface AnswerOptions {
  question: string;
  reading: string;
  columns: readonly { name: string }[];
  rows: readonly unknown[][];
  rowCount: number;
  truncated: boolean;
  profile: readonly ColumnProfile[];
  rank?: { dir: 'desc' | 'asc'; limit: number };
  knownNames: readonly string[];
  /** The model writes the answer when set (and it may see rows); else the template does. */
  model: ModelClient | undefined;
  signal: AbortSignal;
  report: StageReporter;
  /** Coalescing interval of answer events; 100 ms gives at most ten a second. */
  answerEventMs?: number;
}

export async function writeAnswer(opts: AnswerOptions): Promise<string> {
  const { report } = opts;
  const template = templateAnswer(opts);
  const review = (answer: string) =>
    reviewAnswer({
      answer,
      columns: opts.columns,
      rows: opts.rows,
      rowCount: opts.rowCount,
      context: [opts.question, opts.reading],
      knownNames: opts.knownNames,
    });
  const model = opts.model && opts.model.config.sendRows > 0 ? opts.model : undefined;
  if (!model) {
    report.stage('interpret', 85, 'Wrote the answer from the result');
    report.emit({ type: 'answer', attempt: 1, delta: template });
    report.stage('review', 88, 'Checking the answer against the result');
    // The template only states cells and their sums; a fault here is a bug, but never shown.
    const problems = review(template);
    report.stage(
      'review',
      90,
      problems.length === 0 ? 'Every claim matches the result' : 'Checked',
    );
    return template;
  }
  const rejected: { answer: string; problems: string[] }[] = [];
  for (let attempt = 1; attempt <= MAX_ANSWER_ATTEMPTS; attempt++) {
    report.stage(
      'interpret',
      80,
      `The model is writing the answer (attempt ${attempt} of ${MAX_ANSWER_ATTEMPTS})`,
    );
    const out = coalesce(
      (delta) => report.emit({ type: 'answer', attempt, delta }),
      opts.answerEventMs ?? 100,
    );
    let answer: string;
    try {
      answer = (
        await model.complete(
          answerMessages({ ...opts, sendRows: model.config.sendRows, rejected }),
          { signal: opts.signal, onDelta: (d) => out.push(d), maxTokens: 600 },
        )
      ).trim();
      out.flush();
    } catch (err) {
      // The query has run and its rows are right: an unreachable model costs the prose only.
      if (!(err instanceof QueryError) || err.code !== 'MODEL_UNAVAILABLE') throw err;
      report.stage('review', 90, `${err.message} Answering from the template.`);
      report.emit({ type: 'answer', attempt: attempt + 1, delta: template });
      return template;
    } finally {
      out.close();
    }
    report.stage(
      'review',
      86,
      `Checking the answer against the result (attempt ${attempt} of ${MAX_ANSWER_ATTEMPTS})`,
    );
    const problems = answer === '' ? ['the answer is empty'] : review(answer);
    if (problems.length === 0) {
      report.stage('review', 90, 'Every claim matches the result');
      return answer;
    }
    rejected.push({ answer, problems });
    if (attempt < MAX_ANSWER_ATTEMPTS)
      report.retry('review', attempt + 1, MAX_ANSWER_ATTEMPTS, problems.join('; '));
  }
  report.stage(
    'review',
    90,
    'The model’s answers did not match the result; answering from the template',
  );
  report.emit({ type: 'answer', attempt: MAX_ANSWER_ATTEMPTS + 1, delta: template });
  return template;
}
