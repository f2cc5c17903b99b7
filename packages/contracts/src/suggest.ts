// What `datasets.suggest` returns while a person types a question: words of the dataset's
// semantic model (measures, dimensions, entities, dates and values) that match what is typed.
import { z } from 'zod';

export const SuggestionKind = z.enum(['measure', 'dimension', 'value', 'entity', 'time']);
export type SuggestionKind = z.infer<typeof SuggestionKind>;

export const Suggestion = z.object({
  kind: SuggestionKind,
  /** What to insert into the question. */
  text: z.string(),
  /** Where it comes from ("channel of orders"). */
  detail: z.string(),
});
export type Suggestion = z.infer<typeof Suggestion>;
