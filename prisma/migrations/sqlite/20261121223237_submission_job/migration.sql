-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Submission" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hotkey" TEXT NOT NULL,
    "uid" INTEGER,
    "expertGroup" INTEGER NOT NULL,
    "checkpointUrl" TEXT NOT NULL,
    "blockNumber" INTEGER NOT NULL,
    "signature" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "versionId" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "reason" TEXT,
    "bytes" BIGINT,
    "sha256" TEXT,
    "loss" REAL,
    "baselineLoss" REAL,
    "score" REAL,
    "points" REAL,
    "steps" TEXT NOT NULL DEFAULT '[]',
    "jobId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Submission_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "ModelVersion" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Submission_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Submission" ("baselineLoss", "blockNumber", "bytes", "checkpointUrl", "createdAt", "expertGroup", "hotkey", "id", "loss", "points", "reason", "round", "score", "sha256", "signature", "state", "steps", "uid", "updatedAt", "versionId") SELECT "baselineLoss", "blockNumber", "bytes", "checkpointUrl", "createdAt", "expertGroup", "hotkey", "id", "loss", "points", "reason", "round", "score", "sha256", "signature", "state", "steps", "uid", "updatedAt", "versionId" FROM "Submission";
DROP TABLE "Submission";
ALTER TABLE "new_Submission" RENAME TO "Submission";
CREATE UNIQUE INDEX "Submission_jobId_key" ON "Submission"("jobId");
CREATE INDEX "Submission_round_idx" ON "Submission"("round");
CREATE INDEX "Submission_state_idx" ON "Submission"("state");
CREATE UNIQUE INDEX "Submission_hotkey_blockNumber_key" ON "Submission"("hotkey", "blockNumber");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

