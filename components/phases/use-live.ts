"use client";
import { useEffect, useState } from "react";

/** How often live views refetch: twice a block, between 250 ms and 2 s. */
export function refetchMs(blockTimeMs: number | undefined): number {
  return Math.min(2000, Math.max(250, Math.floor((blockTimeMs ?? 12_000) / 2)));
}

/**
 * The current time, updated every `ms` (for countdowns between refetches). It is null while the server
 * renders and while the page hydrates, so the first client render matches the server's HTML exactly.
 */
export function useNow(ms = 1000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function formatSeconds(s: number): string {
  const v = Math.max(0, Math.round(s));
  const m = Math.floor(v / 60);
  return m > 0 ? `${m}m ${String(v % 60).padStart(2, "0")}s` : `${v}s`;
}
