// drizzle-kit reads this to generate the PostgreSQL history store's migrations
// (npm run db:generate:postgres). No database is needed to generate them.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/postgres/schema.ts',
  out: './packages/db/drizzle/postgres',
});
