// drizzle-kit reads this to generate the SQLite history store's migrations (npm run db:generate);
// drizzle.config.postgres.ts does the same for PostgreSQL.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './packages/db/src/sqlite/schema.ts',
  out: './packages/db/drizzle/sqlite',
});
