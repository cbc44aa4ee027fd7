"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Button, Card, Input } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { formatBytes, shortKey } from "@/components/ui/format";
import { assignmentSchema, publishSchema } from "@/server/validator/forms";

type Outputs = inferRouterOutputs<AppRouter>["validator"];

export function ModelsView({
  isAdmin,
  initial,
}: {
  isAdmin: boolean;
  initial?: { models: Outputs["models"]; assignments: Outputs["assignments"] };
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const { data } = useQuery({
    ...trpc.validator.models.queryOptions(),
    initialData: initial?.models,
    refetchInterval: 5000,
  });
  const assignments = useQuery({ ...trpc.validator.assignments.queryOptions(), initialData: initial?.assignments });
  const [error, setError] = useState<string | null>(null);
  const publish = useMutation(
    trpc.validator.publish.mutationOptions({
      onSuccess: () => (setError(null), qc.invalidateQueries({ queryKey: trpc.validator.models.queryKey() })),
      onError: (e) => setError(e.message),
    }),
  );
  const assign = useMutation(
    trpc.validator.assign.mutationOptions({
      onSuccess: (d) => (setError(null), qc.setQueryData(trpc.validator.assignments.queryKey(), d)),
      onError: (e) => setError(e.message),
    }),
  );
  const unassign = useMutation(
    trpc.validator.unassign.mutationOptions({
      onSuccess: (d) => qc.setQueryData(trpc.validator.assignments.queryKey(), d),
    }),
  );

  const onPublish = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const parsed = publishSchema.safeParse({ dir: f.get("dir"), name: f.get("name") });
    if (!parsed.success) return setError(parsed.error.issues[0].message);
    if (window.confirm(`Publish ${parsed.data.dir} as ${parsed.data.name}? Miners will be served it at once.`))
      publish.mutate(parsed.data);
  };
  const onAssign = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const parsed = assignmentSchema.safeParse({ hotkey: f.get("hotkey"), expertGroup: Number(f.get("group")) });
    if (!parsed.success) return setError(parsed.error.issues[0].message);
    assign.mutate(parsed.data);
  };

  return (
    <div className="space-y-4">
      <Card title="Model versions">
        {data?.versions.length === 0 && <p className="text-sm text-zinc-500">No model published yet.</p>}
        {!!data?.versions.length && (
          <Table
            head={["Version", "Block", "Size", "Tensors", "Full model sha256", "Downloads", ""]}
            testId="versions-table"
          >
            {data.versions.map((v) => {
              const full = v.artifacts.find((a) => a.selector === "full");
              return (
                <Row key={v.id}>
                  <Cell className="font-medium">{v.name}</Cell>
                  <Cell>{v.blockNumber.toLocaleString("en-US")}</Cell>
                  <Cell>{formatBytes(v.totalBytes)}</Cell>
                  <Cell>{v.tensorCount}</Cell>
                  <Cell className="font-mono text-xs" title={full?.sha256}>
                    {full?.sha256.slice(0, 16)}…
                  </Cell>
                  <Cell>{v.artifacts.reduce((n, a) => n + a.downloads, 0)}</Cell>
                  <Cell>{v.current && <Badge tone="green">served</Badge>}</Cell>
                </Row>
              );
            })}
          </Table>
        )}
      </Card>
      <Card title="Expert groups of the served version">
        <Table head={["Group", "Experts", "Tensors", "Download size", "sha256"]} testId="groups-table">
          {data?.groups.map((g) => (
            <Row key={g.id}>
              <Cell>{g.id}</Cell>
              <Cell>{g.experts}</Cell>
              <Cell>{g.tensors}</Cell>
              <Cell>{formatBytes(g.bytes)}</Cell>
              <Cell className="font-mono text-xs" title={g.sha256}>
                {g.sha256.slice(0, 16)}…
              </Cell>
            </Row>
          ))}
        </Table>
      </Card>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Miner assignments">
          <ul className="mb-3 divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {assignments.data?.length === 0 && (
              <li className="py-1 text-zinc-500">No assignments: any registered miner may download any group.</li>
            )}
            {assignments.data?.map((a) => (
              <li key={a.hotkey} className="flex items-center justify-between gap-2 py-1">
                <span className="font-mono text-xs" title={a.hotkey}>
                  {shortKey(a.hotkey)} → group {a.expertGroup}
                </span>
                {isAdmin && (
                  <Button
                    variant="secondary"
                    onClick={() =>
                      window.confirm(`Remove the assignment of ${a.hotkey}?`) && unassign.mutate({ hotkey: a.hotkey })
                    }
                  >
                    Remove
                  </Button>
                )}
              </li>
            ))}
          </ul>
          {isAdmin && (
            <form onSubmit={onAssign} className="flex flex-col gap-2 sm:flex-row">
              <label className="sr-only" htmlFor="assign-hotkey">
                Hotkey
              </label>
              <Input id="assign-hotkey" name="hotkey" placeholder="miner hotkey (SS58)" />
              <label className="sr-only" htmlFor="assign-group">
                Group
              </label>
              <Input id="assign-group" name="group" type="number" min={0} placeholder="group" className="sm:w-24" />
              <Button type="submit" disabled={assign.isPending}>
                Assign
              </Button>
            </form>
          )}
        </Card>
        {isAdmin && (
          <Card title="Publish a version">
            <form onSubmit={onPublish} className="space-y-2">
              <label className="block text-xs text-zinc-500" htmlFor="publish-dir">
                Model directory on the server (Hugging Face layout)
              </label>
              <Input id="publish-dir" name="dir" placeholder="/models/step_1000" />
              <label className="block text-xs text-zinc-500" htmlFor="publish-name">
                Version name
              </label>
              <Input id="publish-name" name="name" placeholder="step_1000" />
              <Button type="submit" disabled={publish.isPending}>
                {publish.isPending ? "Validating and hashing…" : "Publish"}
              </Button>
            </form>
          </Card>
        )}
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-600">
          {error}
        </p>
      )}
    </div>
  );
}
