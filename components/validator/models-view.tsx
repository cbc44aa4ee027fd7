"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Button, Card, Input } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { formatBytes, shortKey } from "@/components/ui/format";
import { Empty, QueryPanel } from "@/components/ui/states";
import { LossChart, VersionsCard } from "./model-progress";
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
  const models = useQuery({
    ...trpc.validator.models.queryOptions(),
    initialData: initial?.models,
    refetchInterval: 5000,
  });
  const { data } = models;
  const assignments = useQuery({ ...trpc.validator.assignments.queryOptions(), initialData: initial?.assignments });
  const [error, setError] = useState<string | null>(null);
  const publish = useMutation(
    trpc.validator.publish.mutationOptions({
      onSuccess: () => (setError(null), qc.invalidateQueries({ queryKey: trpc.validator.models.queryKey() })),
      onError: (e) => setError(e.message),
    }),
  );
  const neurons = useQuery({ ...trpc.validator.neurons.queryOptions(), enabled: isAdmin });
  const [assignErrors, setAssignErrors] = useState<{ hotkey?: string; expertGroup?: string; form?: string }>({});
  const [assigned, setAssigned] = useState<string | null>(null);
  const assign = useMutation(
    trpc.validator.assign.mutationOptions({
      onSuccess: (d, input) => {
        setAssignErrors({});
        setAssigned(`Assigned ${input.hotkey.slice(0, 8)}… to group ${input.expertGroup}.`);
        qc.setQueryData(trpc.validator.assignments.queryKey(), d);
        assignForm.current?.reset();
      },
      onError: (e, input) => {
        setAssigned(null);
        // Not registered on the subnet: only with an explicit confirmation.
        if (e.data?.code === "CONFLICT" && !input.allowUnregistered) {
          if (window.confirm(`${e.message}?`)) assign.mutate({ ...input, allowUnregistered: true });
          return;
        }
        setAssignErrors(e.data?.code === "UNPROCESSABLE_CONTENT" ? { expertGroup: e.message } : { form: e.message });
      },
    }),
  );
  const assignForm = useRef<HTMLFormElement>(null);
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
    const group = String(f.get("group") ?? "");
    const parsed = assignmentSchema.safeParse({
      hotkey: f.get("hotkey"),
      expertGroup: group === "" ? undefined : Number(group),
    });
    setAssigned(null);
    if (!parsed.success) {
      const errors: typeof assignErrors = {};
      for (const i of parsed.error.issues) errors[i.path[0] as "hotkey" | "expertGroup"] ??= i.message;
      return setAssignErrors(errors);
    }
    setAssignErrors({});
    assign.mutate(parsed.data);
  };

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
      <Card title="Expert groups of the served version">
        {!data?.groups.length ? (
          <Empty>No model is served, so there are no groups.</Empty>
        ) : (
          <Table
            head={["Group", "Experts", "Tensors", "Download size", "sha256"]}
            testId="groups-table"
            label="Expert groups"
          >
            {data.groups.map((g) => (
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
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Miner assignments">
          <ul className="mb-3 divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {assignments.data?.length === 0 && (
              <li className="py-1 text-zinc-500 dark:text-zinc-400">
                No assignments: any registered miner may download any group.
              </li>
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
            <form ref={assignForm} onSubmit={onAssign} className="space-y-2" noValidate>
              <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
                <div className="flex-1">
                  <label className="sr-only" htmlFor="assign-hotkey">
                    Hotkey
                  </label>
                  <Input
                    id="assign-hotkey"
                    name="hotkey"
                    placeholder="miner hotkey (SS58)"
                    list="subnet-hotkeys"
                    aria-invalid={!!assignErrors.hotkey}
                    aria-describedby="assign-hotkey-error"
                  />
                  <datalist id="subnet-hotkeys">
                    {neurons.data?.map((n) => (
                      <option key={n.hotkey} value={n.hotkey}>{`uid ${n.uid}`}</option>
                    ))}
                  </datalist>
                  {assignErrors.hotkey && (
                    <p id="assign-hotkey-error" className="mt-1 text-xs text-rose-600 dark:text-rose-400">
                      {assignErrors.hotkey}
                    </p>
                  )}
                </div>
                <div>
                  <label className="sr-only" htmlFor="assign-group">
                    Group
                  </label>
                  <select
                    id="assign-group"
                    name="group"
                    defaultValue=""
                    aria-invalid={!!assignErrors.expertGroup}
                    aria-describedby="assign-group-error"
                    className="w-full rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900 sm:w-32"
                  >
                    <option value="">group…</option>
                    {data?.groups.map((g) => (
                      <option key={g.id} value={g.id}>{`group ${g.id}`}</option>
                    ))}
                  </select>
                  {assignErrors.expertGroup && (
                    <p id="assign-group-error" className="mt-1 text-xs text-rose-600 dark:text-rose-400">
                      {assignErrors.expertGroup}
                    </p>
                  )}
                </div>
                <Button type="submit" disabled={assign.isPending}>
                  Assign
                </Button>
              </div>
              {assignErrors.form && <p className="text-xs text-rose-600 dark:text-rose-400">{assignErrors.form}</p>}
              {assigned && (
                <p role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
                  {assigned}
                </p>
              )}
            </form>
          )}
        </Card>
        {isAdmin && (
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
