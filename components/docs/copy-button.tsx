"use client";
import { useState } from "react";

/** Copies a snippet (a curl line, an example body); says so, or how to copy by hand where the browser refuses. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        aria-label={`Copy ${label}`}
        className="rounded border border-zinc-300 px-2 py-0.5 text-xs text-zinc-700 hover:bg-zinc-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600 dark:border-zinc-600 dark:text-zinc-200 dark:hover:bg-zinc-800"
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setSaid("Copied."),
            () => setSaid("Select the text and copy it."),
          )
        }
      >
        Copy
      </button>
      {said && (
        <span role="status" className="text-xs text-zinc-600 dark:text-zinc-300">
          {said}
        </span>
      )}
    </span>
  );
}
