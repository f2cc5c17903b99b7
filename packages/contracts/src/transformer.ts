// The one superjson instance: the wire codec of the server, every client and the store's payloads.
// Blob values come back from SQLite as Uint8Array, which superjson does not know by default.
import SuperJSON from 'superjson';

export const transformer = new SuperJSON();

transformer.registerCustom<Uint8Array, string>(
  {
    isApplicable: (v): v is Uint8Array => v instanceof Uint8Array,
    serialize: (v) => {
      let binary = '';
      for (const byte of v) binary += String.fromCharCode(byte);
      return btoa(binary);
    },
    deserialize: (v) => Uint8Array.from(atob(v), (c) => c.charCodeAt(0)),
  },
  'Uint8Array',
);
