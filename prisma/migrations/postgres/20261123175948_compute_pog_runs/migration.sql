-- CreateTable
CREATE TABLE "PogRun" (
    "id" SERIAL NOT NULL,
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "passed" BOOLEAN NOT NULL DEFAULT false,
    "reason" TEXT NOT NULL DEFAULT '',
    "claimedGpu" TEXT,
    "identifiedGpu" TEXT,
    "gpuCount" INTEGER NOT NULL DEFAULT 0,
    "score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "steps" TEXT NOT NULL DEFAULT '[]',

    CONSTRAINT "PogRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PogRun_netuid_hotkey_id_idx" ON "PogRun"("netuid", "hotkey", "id");

