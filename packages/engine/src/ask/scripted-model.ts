// Test double for a model endpoint we cannot run: a real HTTP server speaking the OpenAI
// chat-completions protocol (`POST /v1/chat/completions`, streamed as server-sent events),
// answering from a script and recording every request, including whether it was aborted.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedRequest {
  model: string;
  messages: { role: string; content: string }[];
  stream: boolean;
  /** True once the client went away before the reply ended. */
  aborted: boolean;
  /** True once the reply was sent in full. */
  finished: boolean;
}

export interface ScriptedReply {
  /** The text, streamed in `chunks` pieces. */
  text?: string;
  chunks?: number;
  /** Wait this long before each piece. */
  delayMs?: number;
  /** Answer with this HTTP status and an error body instead. */
  status?: number;
  /** Never answer (until the client gives up). */
  hang?: boolean;
}

export interface ScriptedModel {
  /** Base URL to give the client, ending in /v1. */
  url: string;
  requests: ScriptedRequest[];
  close(): Promise<void>;
}

/** `script(request, index)` decides each reply; index counts requests from 0. */
export async function startScriptedModel(
  script: (request: ScriptedRequest, index: number) => ScriptedReply,
): Promise<ScriptedModel> {
  const requests: ScriptedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const parsed = JSON.parse(body) as {
      model: string;
      messages: ScriptedRequest['messages'];
      stream?: boolean;
    };
    const request: ScriptedRequest = {
      model: parsed.model,
      messages: parsed.messages,
      stream: parsed.stream === true,
      aborted: false,
      finished: false,
    };
    const index = requests.push(request) - 1;
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      if (!res.writableFinished) request.aborted = true;
    });
    const reply = script(request, index);
    if (reply.hang) return;
    if (reply.status) {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `scripted ${reply.status}`, type: 'scripted' } }));
      return;
    }
    const text = reply.text ?? '';
    const n = Math.max(1, Math.min(reply.chunks ?? 3, text.length || 1));
    const size = Math.ceil(text.length / n);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (delta: Record<string, string>, finish: string | null) =>
      res.write(
        `data: ${JSON.stringify({ id: `chatcmpl-${index}`, object: 'chat.completion.chunk', created: 0, model: parsed.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
      );
    send({ role: 'assistant', content: '' }, null);
    for (let i = 0; i < text.length; i += size) {
      if (reply.delayMs) await sleep(reply.delayMs);
      if (res.destroyed) return;
      send({ content: text.slice(i, i + size) }, null);
    }
    send({}, 'stop');
    res.end('data: [DONE]\n\n');
    request.finished = true;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
        // Idle keep-alive sockets would otherwise hold close() for seconds.
        server.closeAllConnections();
      }),
  };
}
