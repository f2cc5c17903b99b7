// Runs started from this tab, kept until the page unloads: their cards follow events from the
// first one, and they render before the conversation's message list has been refetched.
export interface PendingRun {
  runId: string;
  conversationId: string;
  query: string;
}
