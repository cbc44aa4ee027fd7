-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "dir" TEXT NOT NULL,
    "blockNumber" INTEGER NOT NULL,
    "totalBytes" BIGINT NOT NULL,
    "tensorCount" INTEGER NOT NULL,
    "groups" TEXT NOT NULL,
    "publishedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedBy" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ModelArtifact" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "versionId" INTEGER NOT NULL,
    "selector" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "tensorCount" INTEGER NOT NULL,
    "downloads" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "ModelArtifact_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "ModelVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MinerAssignment" (
    "hotkey" TEXT NOT NULL PRIMARY KEY,
    "expertGroup" INTEGER NOT NULL,
    "assignedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Submission" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Submission_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "ModelVersion" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_name_key" ON "ModelVersion"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ModelArtifact_versionId_selector_key" ON "ModelArtifact"("versionId", "selector");

-- CreateIndex
CREATE INDEX "Submission_round_idx" ON "Submission"("round");

-- CreateIndex
CREATE INDEX "Submission_state_idx" ON "Submission"("state");

-- CreateIndex
CREATE UNIQUE INDEX "Submission_hotkey_blockNumber_key" ON "Submission"("hotkey", "blockNumber");

