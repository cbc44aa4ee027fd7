"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui";
import { useTRPC } from "@/lib/trpc";

/** The miners' Bearer token for admins: masked until shown, copyable, and rotatable after a confirmation. */
export function MinerToken({ initial, fromEnvironment }: { initial: string; fromEnvironment: boolean }) {
  const trpc = useTRPC();
  const [token, setToken] = useState(initial);
  const [shown, setShown] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const rotate = useMutation(
    trpc.validator.rotateToken.mutationOptions({
      onSuccess: (d) => {
        setToken(d.token);
        setShown(true);
        setMessage("Rotated: the old token no longer works. Give miners this one.");
      },
      onError: (e) => setMessage(e.message),
    }),
  );
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setMessage("Copied.");
    } catch {
      setShown(true);
      setMessage("Copying is not allowed here: select the token and copy it.");
    }
  };
  return (
    <div className="space-y-2">
      <div className="break-all font-mono text-xs" data-testid="bz-token">
        {shown ? token : `${"•".repeat(12)}${token.slice(-4)}`}
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={() => setShown(!shown)}>
          {shown ? "Hide" : "Show"}
        </Button>
        <Button type="button" variant="secondary" onClick={copy}>
          Copy
        </Button>
        {!fromEnvironment && (
          <Button
            type="button"
            variant="danger"
            disabled={rotate.isPending}
            onClick={() => {
              if (window.confirm("Rotate the miner token? Every miner must be given the new one.")) rotate.mutate();
            }}
          >
            Rotate
          </Button>
        )}
      </div>
      {message && (
        <p role="status" className="text-xs text-zinc-600 dark:text-zinc-300">
          {message}
        </p>
      )}
    </div>
  );
}
