/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships a WASM build of PostgreSQL and reads its files at run time; keep it (and the
  // database drivers) out of the server bundle so those paths resolve.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pg", "@prisma/adapter-pg", "exceljs", "bcryptjs"],
  poweredByHeader: false,
  typescript: { tsconfigPath: "tsconfig.next.json" },
  typedRoutes: false,
};

export default nextConfig;
