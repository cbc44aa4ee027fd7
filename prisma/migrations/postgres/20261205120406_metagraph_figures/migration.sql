-- AlterTable
ALTER TABLE "Neuron" ADD COLUMN     "consensus" DOUBLE PRECISION,
ADD COLUMN     "dividends" DOUBLE PRECISION,
ADD COLUMN     "emission" TEXT,
ADD COLUMN     "incentive" DOUBLE PRECISION,
ADD COLUMN     "lastUpdate" INTEGER,
ADD COLUMN     "trust" DOUBLE PRECISION,
ADD COLUMN     "validatorTrust" DOUBLE PRECISION;

