-- CreateTable
CREATE TABLE "SearchMinerState" (
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "searchType" TEXT NOT NULL,
    "uid" INTEGER NOT NULL,
    "coldkey" TEXT NOT NULL,
    "verified" INTEGER NOT NULL DEFAULT 1,
    "declared" INTEGER NOT NULL DEFAULT 0,
    "qualityAvg" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "unreachableSince" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SearchMinerState_pkey" PRIMARY KEY ("netuid","hotkey","searchType")
);

-- CreateTable
CREATE TABLE "SearchWindow" (
    "id" SERIAL NOT NULL,
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "searchType" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "qualityScore" DOUBLE PRECISION NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "verifiedConcurrency" INTEGER NOT NULL,
    "queries" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SearchWindow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchQuery" (
    "id" SERIAL NOT NULL,
    "netuid" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "searchType" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "tools" TEXT NOT NULL DEFAULT '[]',
    "hotkey" TEXT,
    "hedgedHotkey" TEXT,
    "outcome" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "firstByteMs" DOUBLE PRECISION,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "items" INTEGER NOT NULL DEFAULT 0,
    "score" DOUBLE PRECISION,
    "reason" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "SearchQuery_pkey" PRIMARY KEY ("id")
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

