// Runs started from this tab, kept until the page unloads: their cards follow events from the
// first one, and they render before the conversation's message list has been refetched.
import type { RunKind } from '@querylane/contracts';

export interface PendingRun {
  runId: string;
  conversationId: string;
  /** The question or the SQL, as written. */
  query: string;
  kind: RunKind;
}
