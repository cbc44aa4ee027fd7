"use client";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc";
import { deviceRequirementSchema, dockerRequirementSchema } from "@/server/compute/forms";
import { Button, Card, Input, Select } from "@/components/ui";
import { shortKey } from "@/components/ui/format";
import type { Credentials, Inventory } from "./allocation-types";
import { CredentialsPanel } from "./credentials-panel";

const SPEC_FIELDS = [
  { name: "gpu_type", label: "GPU model contains", placeholder: "gpu (any)", kind: "text" },
  { name: "gpu_size", label: "GPU memory over (GB)", placeholder: "3", kind: "number" },
  { name: "cpu_count", label: "CPUs at least", placeholder: "1", kind: "number" },
  { name: "ram", label: "RAM at least (GiB)", placeholder: "1", kind: "number" },
  { name: "hard_disk", label: "Disk at least (GiB)", placeholder: "1", kind: "number" },
  { name: "timeline", label: "Days", placeholder: "90", kind: "number" },
] as const;
type SpecField = (typeof SPEC_FIELDS)[number]["name"];

function specInput(values: Record<SpecField, string>) {
  const raw: Record<string, unknown> = {};
  for (const f of SPEC_FIELDS) {
    const v = values[f.name].trim();
    if (v === "") continue;
    raw[f.name] = f.kind === "number" ? Number(v) : v;
  }
  return deviceRequirementSchema.safeParse(raw);
}

/** A form problem in words: the field's label and what it needs, not the schema's text. */
function inWords(issue: { path: PropertyKey[]; code: string; message: string } & Record<string, unknown>): string {
  const label = SPEC_FIELDS.find((f) => f.name === issue.path[0])?.label ?? String(issue.path[0]);
  if (issue.code === "too_small") return `${label} must be ${String(issue.minimum)} or more`;
  if (issue.code === "too_big") return `${label} must be ${String(issue.maximum)} or less`;
  if (issue.code === "invalid_type") return `${label} must be a whole number`;
  return `${label}: ${issue.message}`;
}

type Mode = "spec" | "hotkey";
type Free = Inventory["miners"];

/** The form's state, what it would send, and the mutation: everything but the markup. */
function useAllocateForm(inventory: Inventory, rentHotkey?: string) {
  const trpc = useTRPC();
  const client = useQueryClient();
  const free = inventory.miners.filter((m) => m.status === "available");
  const [mode, setMode] = useState<Mode>(rentHotkey ? "hotkey" : "spec");
  const [values, setValues] = useState<Record<SpecField, string>>({
    gpu_type: "",
    gpu_size: "",
    cpu_count: "",
    ram: "",
    hard_disk: "",
    timeline: "",
  });
  const [hotkey, setHotkey] = useState(rentHotkey && free.some((m) => m.hotkey === rentHotkey) ? rentHotkey : "");
  const [sshKey, setSshKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  /** Any change to the form clears the last failure: it was about the previous request. */
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      setError(null);
      set(v);
    };
  const spec = specInput(values);
  const docker = dockerRequirementSchema.safeParse({ ssh_key: sshKey.trim() });
  const matches = useQuery({
    ...trpc.compute.matches.queryOptions(spec.success ? spec.data : deviceRequirementSchema.parse({})),
    enabled: mode === "spec" && spec.success,
    placeholderData: keepPreviousData,
  });
  const allocate = useMutation(
    trpc.compute.allocate.mutationOptions({
      onSuccess: (c) => {
        setCredentials(c);
        setError(null);
        void client.invalidateQueries({ queryKey: trpc.compute.allocations.queryKey() });
        void client.invalidateQueries({ queryKey: trpc.compute.matches.queryKey() });
      },
      onError: (e) => setError(e.data?.detail ? `${e.message}: ${e.data.detail}` : e.message),
    }),
  );
  const invalid = mode === "spec" && !spec.success ? spec.error.issues[0] : null;
  const keyError = !docker.success ? docker.error.issues[0]?.message : null;
  // No match: only for a spec that parses (the last answer is about an earlier one otherwise).
  const none = mode === "spec" && !invalid && matches.data?.count === 0;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!docker.success) return;
    if (mode === "spec" && spec.success)
      allocate.mutate({ by: "spec", requirements: spec.data, docker_requirement: docker.data });
    else if (mode === "hotkey" && hotkey) allocate.mutate({ by: "hotkey", hotkey, docker_requirement: docker.data });
  };
  return {
    free,
    mode,
    setMode: edit(setMode),
    values,
    setValues: edit(setValues),
    hotkey,
    setHotkey: edit(setHotkey),
    sshKey,
    setSshKey: edit(setSshKey),
    error,
    credentials,
    dismissCredentials: () => setCredentials(null),
    why: none ? matches.data?.why : undefined,
    keyError,
    status: statusLine(mode, invalid, matches.data?.count, free.length),
    pending: allocate.isPending,
    blocked: !!invalid || !!keyError || none || (mode === "hotkey" && !hotkey),
    submit,
  };
}

/** What the form would rent: the matching machines, the free ones, or the first problem in words. */
function statusLine(mode: Mode, invalid: unknown, matching: number | undefined, free: number): string {
  if (mode === "hotkey") return `${free} free ${free === 1 ? "machine" : "machines"}`;
  if (invalid) return inWords(invalid as Parameters<typeof inWords>[0]);
  if (matching === undefined) return "";
  return `${matching} free ${matching === 1 ? "machine matches" : "machines match"}`;
}

export function AllocateCard({ inventory, rentHotkey }: { inventory: Inventory; rentHotkey?: string }) {
  const f = useAllocateForm(inventory, rentHotkey);
  return (
    <Card title="Allocate">
      {f.credentials && <CredentialsPanel c={f.credentials} onDone={f.dismissCredentials} />}
      <form onSubmit={f.submit} className="space-y-3" aria-label="Allocate a machine">
        <div role="radiogroup" aria-label="Allocate by" className="flex gap-4 text-sm">
          {(["spec", "hotkey"] as const).map((m) => (
            <label key={m} className="flex items-center gap-1">
              <input type="radio" name="allocate-mode" checked={f.mode === m} onChange={() => f.setMode(m)} />
              {m === "spec" ? "By spec" : "By miner"}
            </label>
          ))}
        </div>
        {f.mode === "spec" ? (
          <SpecFields values={f.values} onChange={f.setValues} />
        ) : (
          <MinerSelect free={f.free} hotkey={f.hotkey} onChange={f.setHotkey} />
        )}
        <label className="block text-xs text-zinc-600 dark:text-zinc-300">
          Your SSH public key (optional: the password works too)
          <Input
            name="ssh_key"
            placeholder="ssh-ed25519 AAAA… you@host"
            value={f.sshKey}
            onChange={(e) => f.setSshKey(e.target.value)}
            className="mt-1"
          />
        </label>
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={f.pending || f.blocked}>
            {f.pending ? "Allocating…" : "Allocate"}
          </Button>
          <span className="text-sm text-zinc-600 dark:text-zinc-300" aria-live="polite" data-testid="allocate-matches">
            {f.status}
          </span>
          {f.keyError && f.sshKey && <span className="text-sm text-rose-700 dark:text-rose-400">{f.keyError}</span>}
        </div>
        {f.why && (
          <p className="text-sm text-zinc-600 dark:text-zinc-300" data-testid="allocate-why">
            {f.why}
          </p>
        )}
        {f.error && (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-400">
            {f.error}
          </p>
        )}
      </form>
    </Card>
  );
}

function SpecFields({
  values,
  onChange,
}: {
  values: Record<SpecField, string>;
  onChange: (v: Record<SpecField, string>) => void;
}) {
  return (
    <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
      {SPEC_FIELDS.map((f) => (
        <label key={f.name} className="text-xs text-zinc-600 dark:text-zinc-300">
          {f.label}
          <Input
            name={f.name}
            inputMode={f.kind === "number" ? "numeric" : "text"}
            placeholder={f.placeholder}
            value={values[f.name]}
            onChange={(e) => onChange({ ...values, [f.name]: e.target.value })}
            className="mt-1"
          />
        </label>
      ))}
    </div>
  );
}

function MinerSelect({ free, hotkey, onChange }: { free: Free; hotkey: string; onChange: (v: string) => void }) {
  return (
    <label className="block text-xs text-zinc-600 dark:text-zinc-300">
      Miner
      <Select name="hotkey" value={hotkey} onChange={(e) => onChange(e.target.value)} className="mt-1">
        <option value="">Pick a free machine…</option>
        {free.map((m) => (
          <option key={m.hotkey} value={m.hotkey}>
            {m.gpuName ? `${m.gpuCount}x ${m.gpuName}` : "CPU only"} · {m.cpuCount} CPUs · {shortKey(m.hotkey)}
          </option>
        ))}
      </Select>
    </label>
  );
}
