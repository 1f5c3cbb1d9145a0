-- Which Leadhooks processes run on this database (lib/process/presence.ts): each web process and
-- worker on PostgreSQL keeps a row, refreshes "lastSeenAt" every few seconds and deletes it when it
-- stops. The commands that change APP_SECRET_KEY refuse while a row was refreshed recently: a web
-- process with external delivery holds no connection while idle, so pg_stat_activity misses it.
-- A few rows at most: no index besides the key.
CREATE TABLE "ProcessPresence" (
    "id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProcessPresence_pkey" PRIMARY KEY ("id")
);
