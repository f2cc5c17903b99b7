// The one superjson instance: the wire codec of the server, every client and the store's payloads.
// Blob values come back from SQLite as Uint8Array, which superjson does not know by default;
// they travel as base64, made in bulk: Node's Buffer where there is one (the server: native,
// about a millisecond for 3 MB), else btoa/atob over 32 KiB chunks (a browser). Never byte by
// byte in JavaScript, which took over a second for 3 MB on the server's main thread.
import SuperJSON, { type SuperJSONResult } from 'superjson';

type JSONValue = SuperJSONResult['json'];

/** The transformer's wire form of a value: `{ json, meta }`. */
export type Wire = SuperJSONResult;

/** The part of Node's Buffer used here, typed without Node's typings (contracts is browser-safe). */
export interface BufferStatic {
  from(data: ArrayBuffer, byteOffset: number, length: number): { toString(enc: 'base64'): string };
  from(data: string, encoding: 'base64'): Uint8Array;
}

// String.fromCharCode takes the bytes as arguments, and an argument list has a length limit.
const CHUNK = 0x8000;

export function base64Codec(buffer: BufferStatic | undefined) {
  return {
    encode(bytes: Uint8Array): string {
      if (buffer) {
        return buffer
          .from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength)
          .toString('base64');
      }
      let binary = '';
      for (let i = 0; i < bytes.length; i += CHUNK) {
        binary += String.fromCharCode.apply(
          null,
          bytes.subarray(i, i + CHUNK) as unknown as number[],
        );
      }
      return btoa(binary);
    },
    /** Always a plain Uint8Array (not a Buffer), as the Result contract promises. */
    decode(text: string): Uint8Array {
      if (buffer) {
        const bytes = buffer.from(text, 'base64');
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      const binary = atob(text);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return bytes;
    },
  };
}

/** The codec of this runtime. */
export const base64 = base64Codec((globalThis as { Buffer?: BufferStatic }).Buffer);

export const transformer = new SuperJSON();

/**
 * A value already in this transformer's wire form, as the store keeps it: its text
 * (`transformer.stringify`) or that text parsed (`{ json, meta }`). The server sends it on as it
 * is: serialising it is at most a JSON.parse, with no walk over the value and no blob encoded
 * again; the client decodes it into the value it stands for.
 */
export class Encoded<T> {
  declare readonly value?: T;
  readonly #source: string | SuperJSONResult;
  #wire: SuperJSONResult | undefined;

  constructor(source: string | SuperJSONResult) {
    this.#source = source;
  }

  /** The `{ json, meta }` the transformer would have made of the value (parsed once). */
  toWire(): SuperJSONResult {
    const source = this.#source;
    this.#wire ??= typeof source === 'string' ? (JSON.parse(source) as SuperJSONResult) : source;
    return this.#wire;
  }

  /** Typed as the value it encodes, which is what a client receives. */
  asValue(): T {
    return this as unknown as T;
  }

  /**
   * Remembers the text `value` was encoded to (by the store that wrote it), so that whoever
   * sends the same object later sends that text instead of encoding it again — once per
   * subscriber, for a result every watcher of a run receives. The value must not change after.
   */
  static remember(value: object, text: string): void {
    known.set(value, new Encoded(text));
  }

  /** The encoding remembered for `value`, if its writer left one. */
  static known<V extends object>(value: V): Encoded<V> | undefined {
    return known.get(value) as Encoded<V> | undefined;
  }
}

const known = new WeakMap<object, Encoded<unknown>>();

transformer.registerCustom<Uint8Array, string>(
  {
    isApplicable: (v): v is Uint8Array => v instanceof Uint8Array,
    serialize: base64.encode,
    deserialize: base64.decode,
  },
  'Uint8Array',
);

transformer.registerCustom<Encoded<unknown>, JSONValue>(
  {
    isApplicable: (v): v is Encoded<unknown> => v instanceof Encoded,
    serialize: (v) => v.toWire() as unknown as JSONValue,
    deserialize: (v) => transformer.deserialize(v as unknown as SuperJSONResult),
  },
  'Encoded',
);

// ─── Serialised once ────────────────────────────────────────────────────────────────────────
// A stored run event is written to the history and sent to every subscriber, each time as the
// transformer's text. Its serialisation is made once per event object and both texts are built
// from it; the object must not change after its first serialisation (events never do).

type Meta = NonNullable<SuperJSONResult['meta']>;

const serialised = new WeakMap<object, { json: string; meta: Meta | undefined }>();

function serialisedOnce(value: object): { json: string; meta: Meta | undefined } {
  let done = serialised.get(value);
  if (!done) {
    const { json, meta } = transformer.serialize(value);
    done = { json: JSON.stringify(json), meta };
    serialised.set(value, done);
  }
  return done;
}

/** `transformer.stringify(value)`, made once per object. */
export function stringifyOnce(value: object): string {
  const { json, meta } = serialisedOnce(value);
  return meta === undefined
    ? `{"json":${json}}`
    : `{"json":${json},"meta":${JSON.stringify(meta)}}`;
}

/**
 * The JSON text of `transformer.serialize({ id, data })` (a tracked subscription item), built
 * from the cached serialisation of `data`: the envelope's annotations are data's, under `data.`.
 */
export function stringifyTrackedOnce(id: string, data: object): string {
  const { json, meta } = serialisedOnce(data);
  const head = `{"json":{"id":${JSON.stringify(id)},"data":${json}}`;
  if (meta === undefined) return `${head}}`;
  const { values, referentialEqualities, v } = meta;
  // Shared references are annotated by paths whose shape the envelope changes: made in full.
  if (referentialEqualities !== undefined || values === undefined || Array.isArray(values)) {
    return JSON.stringify(transformer.serialize({ id, data }));
  }
  const prefixed: Record<string, unknown> = {};
  for (const [path, annotation] of Object.entries(values)) prefixed[`data.${path}`] = annotation;
  return `${head},"meta":${JSON.stringify({ values: prefixed, v })}}`;
}
