"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Button, Card, Input } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { formatBytes } from "@/components/ui/format";
import { Empty, QueryPanel } from "@/components/ui/states";
import { AssignmentsCard } from "./model-assignments";
import { LossChart, VersionsCard } from "./model-progress";
import { publishSchema } from "@/server/validator/forms";

type Outputs = inferRouterOutputs<AppRouter>["validator"];
type Groups = Outputs["models"]["groups"];

export function ModelsView({
  isAdmin,
  initial,
}: {
  isAdmin: boolean;
  initial?: { models: Outputs["models"]; assignments: Outputs["assignments"] };
}) {
  const trpc = useTRPC();
  const models = useQuery({
    ...trpc.validator.models.queryOptions(),
    initialData: initial?.models,
    refetchInterval: 5000,
  });
  const { data } = models;
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-4">
      {data ? (
        <>
          <VersionsCard data={data} isAdmin={isAdmin} />
          <LossChart rounds={data.rounds} />
        </>
      ) : (
        <Card>
          <QueryPanel query={models}>{() => null}</QueryPanel>
        </Card>
      )}
      <GroupsCard groups={data?.groups ?? []} />
      <div className="grid gap-4 lg:grid-cols-2">
        <AssignmentsCard isAdmin={isAdmin} groups={data?.groups ?? []} initial={initial?.assignments} />
        {isAdmin && <PublishCard onError={setError} />}
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-600">
          {error}
        </p>
      )}
    </div>
  );
}

function GroupsCard({ groups }: { groups: Groups }) {
  return (
    <Card title="Expert groups of the served version">
      {!groups.length ? (
        <Empty>No model is served, so there are no groups.</Empty>
      ) : (
        <Table
          head={["Group", "Experts", "Tensors", "Download size", "sha256"]}
          testId="groups-table"
          label="Expert groups"
        >
          {groups.map((g) => (
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
      )}
    </Card>
  );
}

/** Admins publish a model directory on the server as the next version (validated and hashed first). */
function PublishCard({ onError }: { onError: (message: string | null) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const publish = useMutation(
    trpc.validator.publish.mutationOptions({
      onSuccess: () => (onError(null), qc.invalidateQueries({ queryKey: trpc.validator.models.queryKey() })),
      onError: (e) => onError(e.message),
    }),
  );
  const onPublish = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const parsed = publishSchema.safeParse({ dir: f.get("dir"), name: f.get("name") });
    if (!parsed.success) return onError(parsed.error.issues[0].message);
    if (window.confirm(`Publish ${parsed.data.dir} as ${parsed.data.name}? Miners will be served it at once.`))
      publish.mutate(parsed.data);
  };
  return (
    <Card title="Publish a version">
      <form onSubmit={onPublish} className="space-y-2">
        <label className="block text-xs text-zinc-500 dark:text-zinc-400" htmlFor="publish-dir">
          Model directory on the server (Hugging Face layout)
        </label>
        <Input id="publish-dir" name="dir" placeholder="/models/step_1000" />
        <label className="block text-xs text-zinc-500 dark:text-zinc-400" htmlFor="publish-name">
          Version name
        </label>
        <Input id="publish-name" name="name" placeholder="step_1000" />
        <Button type="submit" disabled={publish.isPending}>
          {publish.isPending ? "Validating and hashing…" : "Publish"}
        </Button>
      </form>
    </Card>
  );
}
