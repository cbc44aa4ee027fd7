-- CreateTable
CREATE TABLE "PogRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "passed" BOOLEAN NOT NULL DEFAULT false,
    "reason" TEXT NOT NULL DEFAULT '',
    "claimedGpu" TEXT,
    "identifiedGpu" TEXT,
    "gpuCount" INTEGER NOT NULL DEFAULT 0,
    "score" REAL NOT NULL DEFAULT 0,
    "steps" TEXT NOT NULL DEFAULT '[]'
);

-- CreateIndex
CREATE INDEX "PogRun_netuid_hotkey_id_idx" ON "PogRun"("netuid", "hotkey", "id");

