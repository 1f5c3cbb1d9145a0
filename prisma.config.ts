import { defineConfig } from "prisma/config";

// Only `prisma generate` runs on these machines; the project applies migrations itself
// (lib/db/migrate.ts). The datasource URL is read from DATABASE_URL when a machine has the engine.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : "postgresql://localhost/leadhooks" },
});
