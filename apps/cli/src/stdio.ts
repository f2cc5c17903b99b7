// A reader that closes our stdout (`| head`, a pager quitting) means "enough": the process ends
// quietly with exit 0 instead of an EPIPE stack trace, whatever it was doing.
import type { Writable } from 'node:stream';

/** Exits with 0 the first time `stream` reports a closed pipe; other errors still surface. */
export function exitQuietlyOnClosedPipe(
  stream: Writable,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      exit(0);
      return;
    }
    throw err;
  });
}

/** All of stdin as text, for `run -`; refuses more than `maxBytes` rather than buffering it all. */
export async function readAll(stream: NodeJS.ReadableStream, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > maxBytes) throw new StdinTooLargeError(maxBytes);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class StdinTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The SQL on stdin is over ${maxBytes.toLocaleString('en-US')} bytes.`);
    this.name = 'StdinTooLargeError';
  }
}
