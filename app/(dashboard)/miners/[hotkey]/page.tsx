import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { MinerDetail } from "@/components/validator/miner-detail";
import { PageTitle } from "@/components/ui";
import { serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Miner" };

export default async function MinerPage({ params }: { params: Promise<{ hotkey: string }> }) {
  const { hotkey } = await params;
  const trpc = await serverCaller("validator");
  const initial = await trpc.validator.miner({ hotkey: decodeURIComponent(hotkey).slice(0, 64) }).catch((e) => {
    if ((e as { code?: string }).code === "NOT_FOUND") notFound();
    throw e;
  });
  return (
    <>
      <p className="mb-1 text-xs">
        <Link href="/miners" className="text-indigo-700 hover:underline dark:text-indigo-300">
          ← Miners
        </Link>
      </p>
      <PageTitle
        title={initial.uid === null ? "Miner (not registered)" : `Miner uid ${initial.uid}`}
        subtitle={<span className="break-all font-mono text-xs">{initial.hotkey}</span>}
      />
      <MinerDetail initial={initial} />
    </>
  );
}
