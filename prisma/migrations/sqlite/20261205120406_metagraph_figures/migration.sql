-- AlterTable
ALTER TABLE "Neuron" ADD COLUMN "consensus" REAL;
ALTER TABLE "Neuron" ADD COLUMN "dividends" REAL;
ALTER TABLE "Neuron" ADD COLUMN "emission" TEXT;
ALTER TABLE "Neuron" ADD COLUMN "incentive" REAL;
ALTER TABLE "Neuron" ADD COLUMN "lastUpdate" INTEGER;
ALTER TABLE "Neuron" ADD COLUMN "trust" REAL;
ALTER TABLE "Neuron" ADD COLUMN "validatorTrust" REAL;

