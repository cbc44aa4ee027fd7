"use client";
import { useHydrated } from "./use-hydrated";

/**
 * A point in time in the reader's own time zone. The server and the hydrating browser both print UTC, so the
 * first client render matches the server's HTML; the local form replaces it once the page is interactive.
 */
export function LocalTime({ at, timeOnly = false }: { at: number | string | Date; timeOnly?: boolean }) {
  const hydrated = useHydrated();
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return <>–</>;
  const iso = d.toISOString();
  const text = hydrated
    ? timeOnly
      ? d.toLocaleTimeString()
      : d.toLocaleString()
    : `${timeOnly ? iso.slice(11, 19) : iso.slice(0, 19).replace("T", " ")} UTC`;
  return (
    <time dateTime={iso} suppressHydrationWarning>
      {text}
    </time>
  );
}
