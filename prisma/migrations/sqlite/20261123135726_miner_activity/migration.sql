-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN "lineage" TEXT;

-- CreateTable
CREATE TABLE "MinerActivity" (
    "hotkey" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "lastStatus" INTEGER NOT NULL,
    "lastReason" TEXT,
    "firstAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAt" DATETIME NOT NULL,

    PRIMARY KEY ("hotkey", "route", "outcome")
);

-- CreateIndex
CREATE INDEX "MinerActivity_lastAt_idx" ON "MinerActivity"("lastAt");

