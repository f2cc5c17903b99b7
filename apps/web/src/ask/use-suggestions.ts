// Words of the dataset's semantic model for the word being typed in a question: asked of
// `datasets.suggest` once typing pauses, cached per word, dropped as soon as the word changes.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '../trpc/react.tsx';
import type { Suggestion } from '../trpc/types.ts';

/** Typing pauses this long before the server is asked. */
const DEBOUNCE_MS = 150;
/** Fewer letters than this match too much to help. */
const MIN_CHARS = 2;
const LIMIT = 8;

export function useSuggestions(datasetId: string | null, word: string): Suggestion[] {
  const trpc = useTRPC();
  const prefix = word.trim().slice(0, 100);
  const [settled, setSettled] = useState(prefix);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(prefix), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [prefix]);
  const wanted = datasetId !== null && settled === prefix && prefix.length >= MIN_CHARS;
  const query = useQuery(
    trpc.datasets.suggest.queryOptions(
      { datasetId: datasetId ?? '', prefix: settled, limit: LIMIT },
      { enabled: wanted, staleTime: 5 * 60_000 },
    ),
  );
  if (!wanted || !query.data) return [];
  // The word itself, typed out in full, is not worth suggesting back.
  const typed = prefix.toLowerCase();
  return query.data.filter((s) => s.text.toLowerCase() !== typed);
}
