-- CreateTable
CREATE TABLE "WeightsSubmission" (
    "id" SERIAL NOT NULL,
    "role" TEXT NOT NULL,
    "netuid" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "block" INTEGER,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "uids" TEXT NOT NULL,
    "weights" TEXT NOT NULL,
    "versionKey" TEXT,
    "txHash" TEXT,
    "inBlock" INTEGER,
    "revealRound" INTEGER,
    "revealBlock" INTEGER,
    "revealedAt" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WeightsSubmission_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WeightsSubmission_role_id_idx" ON "WeightsSubmission"("role", "id");

