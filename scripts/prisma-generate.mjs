// Generates the Prisma client offline. The CLI wants a schema engine binary before any command,
// but `generate` never calls it, so any executable satisfies the check (see ENVIRONMENT.md).
import { spawnSync } from "node:child_process";

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || "/bin/true", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
const r = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
