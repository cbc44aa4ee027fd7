-- CreateTable
CREATE TABLE "AxonPing" (
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "message" TEXT NOT NULL,
    "rttMs" DOUBLE PRECISION NOT NULL,
    "signatureValid" BOOLEAN,
    "at" TIMESTAMP(3) NOT NULL,
    "lastOkAt" TIMESTAMP(3),

    CONSTRAINT "AxonPing_pkey" PRIMARY KEY ("netuid","hotkey")
);

