-- CreateTable
CREATE TABLE "ComputeMiner" (
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "cpuCount" INTEGER,
    "gpuName" TEXT,
    "gpuCount" INTEGER NOT NULL DEFAULT 0,
    "gpuCapacityGib" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "ramGib" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "diskGib" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "specs" TEXT,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3),

    CONSTRAINT "ComputeMiner_pkey" PRIMARY KEY ("netuid","hotkey")
);

-- CreateTable
CREATE TABLE "SpecsReport" (
    "id" SERIAL NOT NULL,
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "digest" TEXT NOT NULL,
    "specs" TEXT,

    CONSTRAINT "SpecsReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ComputeMiner_gpuName_idx" ON "ComputeMiner"("gpuName");

-- CreateIndex
CREATE INDEX "SpecsReport_netuid_hotkey_at_idx" ON "SpecsReport"("netuid", "hotkey", "at");

