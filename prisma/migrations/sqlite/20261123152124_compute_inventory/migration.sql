-- CreateTable
CREATE TABLE "ComputeMiner" (
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "cpuCount" INTEGER,
    "gpuName" TEXT,
    "gpuCount" INTEGER NOT NULL DEFAULT 0,
    "gpuCapacityGib" REAL NOT NULL DEFAULT 0,
    "ramGib" REAL NOT NULL DEFAULT 0,
    "diskGib" REAL NOT NULL DEFAULT 0,
    "specs" TEXT,
    "checkedAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME,

    PRIMARY KEY ("netuid", "hotkey")
);

-- CreateTable
CREATE TABLE "SpecsReport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "digest" TEXT NOT NULL,
    "specs" TEXT
);

-- CreateIndex
CREATE INDEX "ComputeMiner_gpuName_idx" ON "ComputeMiner"("gpuName");

-- CreateIndex
CREATE INDEX "SpecsReport_netuid_hotkey_at_idx" ON "SpecsReport"("netuid", "hotkey", "at");

