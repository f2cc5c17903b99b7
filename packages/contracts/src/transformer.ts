// The one superjson instance: the wire codec of the server, every client and the store's payloads.
// Blob values come back from SQLite as Uint8Array, which superjson does not know by default.
import SuperJSON from 'superjson';
import { base64 } from './base64.ts';

export const transformer = new SuperJSON();

transformer.registerCustom<Uint8Array, string>(
  {
    isApplicable: (v): v is Uint8Array => v instanceof Uint8Array,
    serialize: base64.encode,
    deserialize: base64.decode,
  },
  'Uint8Array',
);
