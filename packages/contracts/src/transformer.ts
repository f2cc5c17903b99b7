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

/**
 * SuperJSON whose output never shows how a value was made: an `Encoded` value's stored
 * `{ json, meta }` is spliced into the message (its json in place, its annotations under its
 * path), so the wire is exactly what plain superjson makes of the decoded value. A reader that
 * takes `result.data.json` without superjson, or another superjson client, sees no difference.
 */
class WireJSON extends SuperJSON {
  override serialize(object: unknown): SuperJSONResult {
    return spliceEncoded(super.serialize(object));
  }
}

export const transformer: SuperJSON = new WireJSON();

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

// ─── Splicing ───────────────────────────────────────────────────────────────────────────────
// superjson's annotations are a tree whose keys are dotted paths (dots in names escaped) and
// whose values are `[annotation]` or `[annotation, subtree]`; referential equalities are lists
// of paths. An `Encoded` value is a leaf annotated `['custom', 'Encoded']`.

type Tree = Record<string, unknown>;
type Refs = Record<string, string[]> | [string[]] | [string[], Record<string, string[]>];

function parsePath(path: string): string[] {
  const segments: string[] = [];
  let segment = '';
  for (let i = 0; i < path.length; i++) {
    const char = path.charAt(i);
    if (char === '\\' && (path.charAt(i + 1) === '.' || path.charAt(i + 1) === '\\')) {
      segment += path.charAt(i + 1);
      i++;
    } else if (char === '.') {
      segments.push(segment);
      segment = '';
    } else segment += char;
  }
  segments.push(segment);
  return segments;
}

const isEncodedLeaf = (node: unknown): boolean =>
  Array.isArray(node) &&
  node.length === 1 &&
  Array.isArray(node[0]) &&
  node[0][0] === 'custom' &&
  node[0][1] === 'Encoded';

function refsAsRecord(refs: Refs | undefined, prefix: string): Record<string, string[]> {
  if (refs === undefined) return {};
  const join = (p: string) => (prefix === '' ? p : `${prefix}.${p}`);
  const out: Record<string, string[]> = {};
  const add = (record: Record<string, string[]>) => {
    for (const [path, same] of Object.entries(record)) out[join(path)] = same.map(join);
  };
  if (Array.isArray(refs)) {
    // [paths identical to the root, others]: the root here is the spliced value itself.
    if (prefix !== '' && refs[0].length > 0) out[prefix] = refs[0].map(join);
    if (refs[1]) add(refs[1]);
  } else add(refs);
  return out;
}

function spliceEncoded(out: SuperJSONResult): SuperJSONResult {
  const values = out.meta?.values as Tree | unknown[] | undefined;
  if (!values || Array.isArray(values)) return out; // a top-level Encoded is never sent
  const paths = Object.keys(values).filter((key) => isEncodedLeaf(values[key]));
  if (paths.length === 0) return out;
  const tree: Tree = { ...values };
  let refs = refsAsRecord(out.meta?.referentialEqualities as Refs | undefined, '');
  const json = out.json as unknown;
  for (const path of paths) {
    delete tree[path];
    const segments = parsePath(path);
    let parent = json as Record<string, unknown>;
    for (const segment of segments.slice(0, -1))
      parent = parent[segment] as Record<string, unknown>;
    const last = segments.at(-1) as string;
    const inner = parent[last] as SuperJSONResult;
    parent[last] = inner.json as unknown;
    const innerValues = inner.meta?.values as Tree | unknown[] | undefined;
    if (Array.isArray(innerValues)) tree[path] = innerValues;
    else if (innerValues) {
      for (const [key, node] of Object.entries(innerValues)) tree[`${path}.${key}`] = node;
    }
    refs = {
      ...refs,
      ...refsAsRecord(inner.meta?.referentialEqualities as Refs | undefined, path),
    };
  }
  const meta: NonNullable<SuperJSONResult['meta']> = { ...out.meta };
  if (Object.keys(tree).length > 0) meta.values = tree as never;
  else delete meta.values;
  if (Object.keys(refs).length > 0) meta.referentialEqualities = refs as never;
  else delete meta.referentialEqualities;
  const onlyVersion = meta.values === undefined && meta.referentialEqualities === undefined;
  return onlyVersion ? { json: json as JSONValue } : { json: json as JSONValue, meta };
}

// Still registered so that a message made before the splice existed decodes; never sent now.
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
