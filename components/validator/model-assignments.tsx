"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Button, Card, Input } from "@/components/ui";
import { shortKey } from "@/components/ui/format";
import { assignmentSchema } from "@/server/validator/forms";

type Outputs = inferRouterOutputs<AppRouter>["validator"];

/** Which expert group each miner is served; admins assign (registered hotkeys, or confirmed) and remove. */
export function AssignmentsCard({
  isAdmin,
  groups,
  initial,
}: {
  isAdmin: boolean;
  groups: Outputs["models"]["groups"];
  initial?: Outputs["assignments"];
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const assignments = useQuery({ ...trpc.validator.assignments.queryOptions(), initialData: initial });
  const unassign = useMutation(
    trpc.validator.unassign.mutationOptions({
      onSuccess: (d) => qc.setQueryData(trpc.validator.assignments.queryKey(), d),
    }),
  );

  return (
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
      {isAdmin && <AssignForm groups={groups} />}
    </Card>
  );
}

/** Assigns a miner an expert group: registered hotkeys, or another after a confirmation. */
function AssignForm({ groups }: { groups: Outputs["models"]["groups"] }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const neurons = useQuery({ ...trpc.validator.neurons.queryOptions(), enabled: true });
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
            {groups.map((g) => (
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
  );
}
