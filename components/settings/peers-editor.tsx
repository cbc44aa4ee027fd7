"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorState, Loading } from "@/components/ui/states";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc";
import { multiaddrSchema } from "@/server/phases/forms";
import { Badge, Button, Card, Input } from "@/components/ui";

export function PeersEditor({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const peers = useQuery(trpc.phases.peers.queryOptions());
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const onSaved = (data: unknown) => {
    qc.setQueryData(trpc.phases.peers.queryKey(), data as never);
    setError(null);
  };
  const add = useMutation(
    trpc.phases.addPeer.mutationOptions({
      onSuccess: (d) => (onSaved(d), setValue("")),
      onError: (e) => setError(e.message),
    }),
  );
  const remove = useMutation(
    trpc.phases.removePeer.mutationOptions({ onSuccess: onSaved, onError: (e) => setError(e.message) }),
  );

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = multiaddrSchema.safeParse(value);
    if (!parsed.success) {
      setError(parsed.error.issues[0].message);
      return;
    }
    add.mutate({ multiaddr: parsed.data });
  };

  return (
    <Card
      title="DHT bootstrap peers"
      action={<span className="text-xs text-zinc-500 dark:text-zinc-400">served at /get_init_peer_id</span>}
    >
      {peers.isLoading && <Loading label="Loading peers…" />}
      {peers.isError && <ErrorState error={peers.error} onRetry={() => void peers.refetch()} />}
      <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="peer-list">
        {peers.data?.length === 0 && (
          <li className="py-2 text-sm text-zinc-500 dark:text-zinc-400">No bootstrap peers yet.</li>
        )}
        {peers.data?.map((p) => (
          <li key={p.multiaddr} className="flex items-center justify-between gap-2 py-2">
            <code className="min-w-0 break-all text-xs">{p.multiaddr}</code>
            {p.source === "config" ? (
              <Badge>BOOTSTRAP_PEERS</Badge>
            ) : (
              isAdmin && (
                <Button
                  variant="secondary"
                  disabled={remove.isPending}
                  onClick={() => window.confirm(`Remove ${p.multiaddr}?`) && remove.mutate({ id: p.id! })}
                  aria-label={`Remove ${p.multiaddr}`}
                >
                  Remove
                </Button>
              )
            )}
          </li>
        ))}
      </ul>
      {isAdmin ? (
        <form onSubmit={submit} className="mt-3 flex flex-col gap-2 sm:flex-row">
          <label className="sr-only" htmlFor="multiaddr">
            Multiaddress
          </label>
          <Input
            id="multiaddr"
            name="multiaddr"
            placeholder="/ip4/203.0.113.1/tcp/4001/p2p/12D3Koo…"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
          <Button type="submit" disabled={add.isPending || !value.trim()}>
            Add peer
          </Button>
        </form>
      ) : (
        <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">Sign in as an admin to edit.</p>
      )}
      {error && (
        <p role="alert" className="mt-2 text-sm text-rose-600">
          {error}
        </p>
      )}
    </Card>
  );
}
