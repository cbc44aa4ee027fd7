-- CreateTable
CREATE TABLE "InventorySample" (
    "id" SERIAL NOT NULL,
    "netuid" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "machines" INTEGER NOT NULL,
    "gpus" INTEGER NOT NULL,
    "gpusReserved" INTEGER NOT NULL,

    CONSTRAINT "InventorySample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InventorySample_netuid_at_idx" ON "InventorySample"("netuid", "at");

