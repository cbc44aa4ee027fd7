-- CreateTable
CREATE TABLE "InventorySample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "netuid" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "machines" INTEGER NOT NULL,
    "gpus" INTEGER NOT NULL,
    "gpusReserved" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "InventorySample_netuid_at_idx" ON "InventorySample"("netuid", "at");

