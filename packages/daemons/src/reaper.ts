// Servers this process started are stopped when it exits, even if a test forgot to or failed
// before its clean-up ran: a leftover PostgreSQL or Redis would hold its port and its files.

const hooks = new Set<() => void>();
let installed = false;

/** Runs `fn` (synchronously) when the process exits; returns the function that cancels it. */
export function onExit(fn: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', () => {
      for (const hook of [...hooks]) {
        try {
          hook();
        } catch {
          // Exiting anyway; the next hook still gets its turn.
        }
      }
    });
  }
  hooks.add(fn);
  return () => hooks.delete(fn);
}
