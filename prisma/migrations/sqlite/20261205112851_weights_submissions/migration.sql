-- CreateTable
CREATE TABLE "WeightsSubmission" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "role" TEXT NOT NULL,
    "netuid" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "WeightsSubmission_role_id_idx" ON "WeightsSubmission"("role", "id");

