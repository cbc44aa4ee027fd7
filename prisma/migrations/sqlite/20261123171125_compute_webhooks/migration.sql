-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "event" TEXT NOT NULL,
    "hotkey" TEXT NOT NULL,
    "uuid" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Allocation" (
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
    "createdBy" TEXT NOT NULL DEFAULT 'api',
    "notifyRelease" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_Allocation" ("checkedAt", "createdAt", "createdBy", "expiresAt", "hotkey", "id", "live", "minerVersion", "netuid", "reason", "regkey", "releasedAt", "resource", "sshIp", "sshKey", "sshPassword", "sshPort", "sshUsername", "state", "status", "statusChangedAt", "strikes", "timeline", "uuid") SELECT "checkedAt", "createdAt", "createdBy", "expiresAt", "hotkey", "id", "live", "minerVersion", "netuid", "reason", "regkey", "releasedAt", "resource", "sshIp", "sshKey", "sshPassword", "sshPort", "sshUsername", "state", "status", "statusChangedAt", "strikes", "timeline", "uuid" FROM "Allocation";
DROP TABLE "Allocation";
ALTER TABLE "new_Allocation" RENAME TO "Allocation";
CREATE UNIQUE INDEX "Allocation_uuid_key" ON "Allocation"("uuid");
CREATE UNIQUE INDEX "Allocation_live_key" ON "Allocation"("live");
CREATE INDEX "Allocation_state_idx" ON "Allocation"("state");
CREATE INDEX "Allocation_hotkey_idx" ON "Allocation"("hotkey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "WebhookDelivery_uuid_idx" ON "WebhookDelivery"("uuid");

-- CreateIndex
CREATE INDEX "WebhookDelivery_createdAt_idx" ON "WebhookDelivery"("createdAt");

