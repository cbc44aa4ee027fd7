"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge, Button, Card } from "@/components/ui";
import { QueryPanel } from "@/components/ui/states";
import { LocalTime } from "@/components/ui/local-time";
import { useTRPC } from "@/lib/trpc";

/** A request to try each API with its new key. */
const TRY = {
  compute: {
    curl: (origin: string, key: string) =>
      `curl -sS -X POST -H "Authorization: Bearer ${key}" "${origin}/list/count_all_gpus"`,
  },
  search: {
    curl: (origin: string, key: string) =>
      `curl -sS -H "access-key: ${key}" "${origin}/web/search?query=bittensor&num=5"`,
  },
} as const;

/**
 * The REST surfaces that answer 403 until they have a key: an admin creates one (shown once, with a curl to
 * try), rotates or revokes it. A key set in the environment wins and is only named here.
 */
export function ApiKeys() {
  const trpc = useTRPC();
  const client = useQueryClient();
  const query = useQuery(trpc.system.apiKeys.queryOptions());
  const [created, setCreated] = useState<{ name: keyof typeof TRY; key: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: trpc.system.apiKeys.queryKey() });
  const rotate = useMutation(
    trpc.system.rotateApiKey.mutationOptions({
      onSuccess: (d, v) => {
        setCreated({ name: v.name, key: d.key });
        setMessage(null);
        void refresh();
      },
      onError: (e) => setMessage(e.message),
    }),
  );
  const revoke = useMutation(
    trpc.system.revokeApiKey.mutationOptions({
      onSuccess: (d, v) => {
        if (created?.name === v.name) setCreated(null);
        setMessage(`${d.title} is off: its key no longer works.`);
        void refresh();
      },
      onError: (e) => setMessage(e.message),
    }),
  );
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <Card title="API keys">
      <QueryPanel query={query} loading="Loading the keys…">
        {(keys) => (
          <ul className="space-y-4" data-testid="api-keys">
            {keys.map((k) => (
              <li key={k.name} className="space-y-2">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <div>
                    <div className="text-sm font-medium">{k.title}</div>
                    <div className="text-xs text-zinc-500 dark:text-zinc-400" data-testid={`api-key-${k.name}`}>
                      {k.source === "environment" ? (
                        <>from {k.env} (it wins over Settings)</>
                      ) : k.source === "settings" ? (
                        <>
                          key …{k.hint}, created <LocalTime at={k.since!} />
                        </>
                      ) : (
                        <>no key: every request gets 403 until one is created (or {k.env} is set)</>
                      )}
                    </div>
                  </div>
                  <Badge tone={k.source === "off" ? "amber" : "green"}>{k.source === "off" ? "off" : "on"}</Badge>
                </div>
                {k.source !== "environment" && (
                  <div className="flex flex-wrap gap-2">
                    <Button
                      type="button"
                      variant="secondary"
                      disabled={rotate.isPending}
                      onClick={() => {
                        if (
                          k.source === "off" ||
                          window.confirm(`Rotate the ${k.title} key? The current one stops working at once.`)
                        )
                          rotate.mutate({ name: k.name });
                      }}
                    >
                      {k.source === "off" ? "Create key" : "Rotate key"}
                    </Button>
                    {k.source === "settings" && (
                      <Button
                        type="button"
                        variant="danger"
                        disabled={revoke.isPending}
                        onClick={() => {
                          if (window.confirm(`Revoke the ${k.title} key? The API answers 403 until a new one.`))
                            revoke.mutate({ name: k.name });
                        }}
                      >
                        Revoke
                      </Button>
                    )}
                  </div>
                )}
                {created?.name === k.name && (
                  <div
                    className="space-y-1 rounded-lg border border-amber-200 bg-amber-50 p-2 text-xs dark:border-amber-900 dark:bg-amber-950/40"
                    data-testid="api-key-created"
                  >
                    <p className="font-medium">Copy this key now: it is not shown again.</p>
                    <p className="break-all font-mono">{created.key}</p>
                    <p>Try it:</p>
                    <pre className="overflow-x-auto whitespace-pre-wrap break-all font-mono">
                      {TRY[k.name].curl(origin, created.key)}
                    </pre>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryPanel>
      {message && (
        <p role="status" className="mt-2 text-xs text-zinc-600 dark:text-zinc-300">
          {message}
        </p>
      )}
    </Card>
  );
}
