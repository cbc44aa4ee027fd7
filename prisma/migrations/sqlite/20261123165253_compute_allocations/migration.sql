-- CreateTable
CREATE TABLE "Allocation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "uuid" TEXT NOT NULL,
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "live" TEXT,
    "state" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ONLINE',
    "resource" TEXT NOT NULL DEFAULT '',
    "regkey" TEXT NOT NULL,
    "sshIp" TEXT NOT NULL DEFAULT '',
    "sshPort" INTEGER NOT NULL DEFAULT 0,
    "sshUsername" TEXT NOT NULL DEFAULT '',
    "sshPassword" TEXT NOT NULL DEFAULT '',
    "sshKey" TEXT NOT NULL DEFAULT '',
    "minerVersion" INTEGER NOT NULL DEFAULT 0,
    "timeline" INTEGER NOT NULL,
    "expiresAt" DATETIME,
    "strikes" INTEGER NOT NULL DEFAULT 0,
    "checkedAt" DATETIME,
    "statusChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "releasedAt" DATETIME,
    "reason" TEXT,
    "createdBy" TEXT NOT NULL DEFAULT 'api'
);

-- CreateIndex
CREATE UNIQUE INDEX "Allocation_uuid_key" ON "Allocation"("uuid");

-- CreateIndex
CREATE UNIQUE INDEX "Allocation_live_key" ON "Allocation"("live");

-- CreateIndex
CREATE INDEX "Allocation_state_idx" ON "Allocation"("state");

-- CreateIndex
CREATE INDEX "Allocation_hotkey_idx" ON "Allocation"("hotkey");

