// The stdio transport: one JSON-RPC message per line on stdin/stdout, with a line limit. The SDK's
// own transport closed the connection on a line over 10 MiB, and dropped lines that did not parse
// without a word: here an over-limit line is skipped and answered, and so is a bad one.
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The longest request line read (the limit MCP clients apply to what they read, too). */
export const REQUEST_MAX_BYTES = 10 * 1024 * 1024;
/** How much of a skipped line's start and end is kept to find its id. */
const ID_SCAN_BYTES = 4096;

const INVALID_REQUEST = -32600;
const PARSE_ERROR = -32700;

type Id = string | number | null;

/** The id of a skipped request, if it sits where the SDK client writes it (last) or where most clients do (first). */
function findId(head: string, tail: string): Id {
  const token = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")\s*\}\s*$/.exec(tail) ?? /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")/.exec(head);
  return token ? (JSON.parse(token[1]!) as string | number) : null;
}

interface Skipped {
  bytes: number;
  head: Buffer;
  tail: Buffer;
}

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private size = 0;
  /** Set while the current line is over the limit: only its start and end are kept. */
  private skipped: Skipped | undefined;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxLineBytes = REQUEST_MAX_BYTES,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onError);
  }

  private readonly onError = (error: Error) => this.onerror?.(error);

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      this.take(chunk.subarray(start, nl < 0 ? chunk.length : nl));
      if (nl < 0) return;
      this.endLine();
      start = nl + 1;
    }
  };

  /** Part of the current line. */
  private take(part: Buffer): void {
    if (part.length === 0) return;
    if (this.skipped) {
      this.skipped.bytes += part.length;
      this.skipped.tail = Buffer.concat([this.skipped.tail, part]).subarray(-ID_SCAN_BYTES);
      return;
    }
    if (this.size + part.length <= this.maxLineBytes) {
      this.chunks.push(part);
      this.size += part.length;
      return;
    }
    // Over the limit: stop buffering; keep the start and the end to find the id.
    const sofar = Buffer.concat([...this.chunks, part]);
    this.skipped = { bytes: sofar.length, head: Buffer.from(sofar.subarray(0, ID_SCAN_BYTES)), tail: Buffer.from(sofar.subarray(-ID_SCAN_BYTES)) };
    this.chunks = [];
    this.size = 0;
  }

  private endLine(): void {
    const skipped = this.skipped;
    if (skipped) {
      this.skipped = undefined;
      const id = findId(skipped.head.toString('utf8'), skipped.tail.toString('utf8'));
      const message = `the request is ${skipped.bytes} bytes, over the ${this.maxLineBytes}-byte line limit, and was not read; send less (write a big file in parts with mode append)`;
      process.stderr.write(`lockstep: ${message} (id ${JSON.stringify(id)})\n`);
      this.refuse(id, INVALID_REQUEST, message);
      return;
    }
    const line = Buffer.concat(this.chunks).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      process.stderr.write(`lockstep: a request line is not JSON (${(err as Error).message})\n`);
      this.refuse(null, PARSE_ERROR, `the line is not JSON (${(err as Error).message}); send one JSON-RPC message per line`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    if (!parsed.success) {
      const raw = (json as { id?: unknown } | null)?.id;
      const id = typeof raw === 'string' || typeof raw === 'number' ? raw : null;
      process.stderr.write(`lockstep: a request line is not a JSON-RPC message (id ${JSON.stringify(id)})\n`);
      this.refuse(id, INVALID_REQUEST, 'the line is not a JSON-RPC 2.0 message; send {"jsonrpc":"2.0", "id", "method", "params"}');
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private refuse(id: Id, code: number, message: string): void {
    this.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`).catch((err: unknown) => this.onerror?.(err as Error));
  }

  private write(line: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(line)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.input.off('data', this.onData);
    this.input.off('error', this.onError);
    // Pause stdin only when nothing else reads it (as the SDK's transport does).
    if (this.input.listenerCount('data') === 0) this.input.pause();
    this.chunks = [];
    this.skipped = undefined;
    this.onclose?.();
  }
}
