-- CreateTable
CREATE TABLE "SearchMinerState" (
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "searchType" TEXT NOT NULL,
    "uid" INTEGER NOT NULL,
    "coldkey" TEXT NOT NULL,
    "verified" INTEGER NOT NULL DEFAULT 1,
    "declared" INTEGER NOT NULL DEFAULT 0,
    "qualityAvg" REAL NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "unreachableSince" DATETIME,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("netuid", "hotkey", "searchType")
);

-- CreateTable
CREATE TABLE "SearchWindow" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "searchType" TEXT NOT NULL,
    "windowStart" DATETIME NOT NULL,
    "qualityScore" REAL NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "verifiedConcurrency" INTEGER NOT NULL,
    "queries" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "SearchQuery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "netuid" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "searchType" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "tools" TEXT NOT NULL DEFAULT '[]',
    "hotkey" TEXT,
    "hedgedHotkey" TEXT,
    "outcome" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "firstByteMs" REAL,
    "latencyMs" REAL NOT NULL,
    "items" INTEGER NOT NULL DEFAULT 0,
    "score" REAL,
    "reason" TEXT NOT NULL DEFAULT ''
);

-- CreateIndex
CREATE INDEX "SearchMinerState_netuid_updatedAt_idx" ON "SearchMinerState"("netuid", "updatedAt");

-- CreateIndex
CREATE INDEX "SearchWindow_netuid_windowStart_idx" ON "SearchWindow"("netuid", "windowStart");

-- CreateIndex
CREATE UNIQUE INDEX "SearchWindow_netuid_hotkey_searchType_windowStart_key" ON "SearchWindow"("netuid", "hotkey", "searchType", "windowStart");

-- CreateIndex
CREATE INDEX "SearchQuery_netuid_at_idx" ON "SearchQuery"("netuid", "at");

-- CreateIndex
CREATE INDEX "SearchQuery_netuid_hotkey_at_idx" ON "SearchQuery"("netuid", "hotkey", "at");

