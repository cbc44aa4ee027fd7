-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "lineage" TEXT;

-- CreateTable
CREATE TABLE "MinerActivity" (
    "hotkey" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "lastStatus" INTEGER NOT NULL,
    "lastReason" TEXT,
    "firstAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MinerActivity_pkey" PRIMARY KEY ("hotkey","route","outcome")
);

-- CreateIndex
CREATE INDEX "MinerActivity_lastAt_idx" ON "MinerActivity"("lastAt");

