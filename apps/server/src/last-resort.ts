// The last line of defence, not error handling: every error path of a request or a run has its
// own handler, so reaching these is a bug. One client must not take everyone's server down with
// it, so the process carries on, loudly, with a marker the process tests fail on.
export const BUG_MARKER = 'QUERYLANE BUG: unhandled';

/** For the server's own process only (main.ts); test runners keep their own reporting. */
export function installLastResortHandlers(log = console.error): void {
  process.on('unhandledRejection', (reason) => {
    log(`${BUG_MARKER} rejection; the server carries on (please report this)`, reason);
  });
  process.on('uncaughtException', (err, origin) => {
    log(`${BUG_MARKER} exception (${origin}); the server carries on (please report this)`, err);
  });
}
