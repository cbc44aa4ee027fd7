"use client";
import type { ReactNode } from "react";
import { Button } from "./index";

/** The four states every panel has besides its content: loading, error (with retry), empty, filtered-empty. */

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p role="status" aria-live="polite" className="animate-pulse text-sm text-zinc-500 dark:text-zinc-400">
      {label}
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: { message: string } | null; onRetry?: () => void }) {
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center justify-between gap-2 rounded-lg bg-rose-50 p-2 text-sm text-rose-700 dark:bg-rose-950/40 dark:text-rose-300"
    >
      <span>Could not load this panel{error?.message ? `: ${error.message}` : ""}.</span>
      {onRetry && (
        <Button variant="secondary" onClick={onRetry} className="py-0.5 text-xs">
          Retry
        </Button>
      )}
    </div>
  );
}

export function Empty({ children, onClear }: { children: ReactNode; onClear?: () => void }) {
  return (
    <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="empty-state">
      {children}
      {onClear && (
        <>
          {" "}
          <button type="button" onClick={onClear} className="text-indigo-700 underline dark:text-indigo-300">
            Clear filters
          </button>
        </>
      )}
    </p>
  );
}

export interface QueryLike<T> {
  data: T | undefined;
  isPending: boolean;
  isError: boolean;
  error: { message: string } | null;
  refetch: () => unknown;
}

/**
 * Renders a query's content once it has data; before that, loading or the error with a retry. Data
 * already shown stays when a later refetch fails, with the error above it.
 */
export function QueryPanel<T>({
  query,
  children,
  loading,
}: {
  query: QueryLike<T>;
  children: (data: T) => ReactNode;
  loading?: string;
}) {
  const retry = () => void query.refetch();
  if (query.data === undefined) {
    if (query.isError) return <ErrorState error={query.error} onRetry={retry} />;
    return <Loading label={loading} />;
  }
  return (
    <>
      {query.isError && (
        <div className="mb-2">
          <ErrorState error={query.error} onRetry={retry} />
        </div>
      )}
      {children(query.data)}
    </>
  );
}
