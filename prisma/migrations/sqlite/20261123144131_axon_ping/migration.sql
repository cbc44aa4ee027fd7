-- CreateTable
CREATE TABLE "AxonPing" (
    "netuid" INTEGER NOT NULL,
    "hotkey" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "message" TEXT NOT NULL,
    "rttMs" REAL NOT NULL,
    "signatureValid" BOOLEAN,
    "at" DATETIME NOT NULL,
    "lastOkAt" DATETIME,

    PRIMARY KEY ("netuid", "hotkey")
);

