"use client";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { deviceRequirementSchema, dockerRequirementSchema } from "@/server/compute/forms";
import { Badge, Button, Card, Input, Select, Stat } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { Empty, QueryPanel } from "@/components/ui/states";
import { shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";

type Outputs = inferRouterOutputs<AppRouter>["compute"];
type Allocations = Outputs["allocations"];
type Allocation = Allocations["live"][number];
type Inventory = Outputs["inventory"];
type Credentials = Outputs["allocate"];

const stateTone = {
  active: "green",
  paused: "amber",
  releasing: "amber",
  pending: "gray",
  released: "gray",
  failed: "red",
} as const;

export function AllocationsView({
  isAdmin,
  initial,
  inventory,
  rentHotkey,
}: {
  isAdmin: boolean;
  initial: Allocations;
  inventory: Inventory;
  /** Open the form on this machine (the inventory's Rent link). */
  rentHotkey?: string;
}) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.compute.allocations.queryOptions(), initialData: initial, refetchInterval: 2000 });
  return (
    <QueryPanel query={query}>
      {(data) => (
        <div className="space-y-4">
          <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
            <Card>
              <Stat label="Live allocations" value={data.live.length} testId="allocations-live" />
            </Card>
            <Card>
              <Stat label="Online" value={data.live.filter((a) => a.status === "ONLINE").length} />
            </Card>
            <Card>
              <Stat label="Offline" value={data.live.filter((a) => a.status === "OFFLINE").length} />
            </Card>
            <Card>
              <Stat label="Releasing" value={data.live.filter((a) => a.state === "releasing").length} />
            </Card>
          </div>
          {isAdmin && <AllocateCard inventory={inventory} rentHotkey={rentHotkey} />}
          <Card title="Live">
            {data.live.length === 0 ? (
              <Empty>No machine is rented. {isAdmin ? "Allocate one above." : "Admins allocate from this page."}</Empty>
            ) : (
              <Table
                head={[
                  "Miner",
                  "GPU",
                  "Since",
                  "Time left",
                  "Status",
                  "Strikes",
                  "Last check",
                  ...(isAdmin ? ["Actions"] : []),
                ]}
                testId="allocations-table"
                label="Live rentals"
              >
                {data.live.map((a) => (
                  <LiveRow key={a.uuid_key} a={a} isAdmin={isAdmin} />
                ))}
              </Table>
            )}
          </Card>
          <Card title="Webhook deliveries">
            {data.webhooks.length === 0 ? (
              <Empty>
                No webhook sent yet. Set DEALLOCATION_NOTIFY_URL and STATUS_NOTIFY_URL (with WEBHOOKS_SECRET) to be told
                of ONLINE, OFFLINE and DEALLOCATION events.
              </Empty>
            ) : (
              <Table
                head={["Sent", "Event", "Miner", "Delivery", "Attempts", "Last answer"]}
                testId="webhook-deliveries"
                label="Webhook deliveries"
              >
                {data.webhooks.map((w) => (
                  <Row key={w.id}>
                    <Cell className="text-xs">
                      <LocalTime at={w.createdAt} />
                    </Cell>
                    <Cell>{w.event}</Cell>
                    <Cell className="font-mono text-xs" title={`${w.hotkey} ${w.uuid}`}>
                      {shortKey(w.hotkey)}
                    </Cell>
                    <Cell>
                      <Badge tone={w.status === "delivered" ? "green" : w.status === "failed" ? "red" : "amber"}>
                        {w.status}
                      </Badge>
                    </Cell>
                    <Cell>{w.attempts}</Cell>
                    <Cell className="max-w-64 truncate text-xs" title={w.lastError ?? undefined}>
                      {w.lastError ?? (w.lastStatus ? `HTTP ${w.lastStatus}` : "–")}
                    </Cell>
                  </Row>
                ))}
              </Table>
            )}
          </Card>
          <Card title="Ended recently">
            {data.ended.length === 0 ? (
              <Empty>Nothing has ended yet.</Empty>
            ) : (
              <Table
                head={["Miner", "GPU", "From", "Ended", "State", "Why"]}
                testId="allocations-ended"
                label="Rentals ended recently"
              >
                {data.ended.map((a) => (
                  <Row key={a.uuid_key}>
                    <MinerCells a={a} until={a.releasedAt} />
                    <Cell>
                      <Badge tone={stateTone[a.state]}>{a.state}</Badge>
                    </Cell>
                    <Cell className="max-w-80 text-xs text-zinc-600 dark:text-zinc-300">{a.reason ?? ""}</Cell>
                  </Row>
                ))}
              </Table>
            )}
          </Card>
        </div>
      )}
    </QueryPanel>
  );
}

/** Miner, GPU, since and until (live rentals: the time left, the end date on hover): the first cells of both tables. */
function MinerCells({ a, until, left = false }: { a: Allocation; until: string | null; left?: boolean }) {
  return (
    <>
      <Cell className="font-mono text-xs" title={a.hotkey}>
        {shortKey(a.hotkey)}
      </Cell>
      <Cell>{a.resource || "–"}</Cell>
      <Cell className="text-xs">
        <LocalTime at={a.created_at} />
      </Cell>
      <Cell className="text-xs">
        {!until ? (
          "–"
        ) : left ? (
          <span title={new Date(until).toUTCString()}>{timeLeft(until)}</span>
        ) : (
          <LocalTime at={until} />
        )}
      </Cell>
    </>
  );
}

/** "89 d 23 h", "5 h 12 min", "ending": what a renter has left. */
export function timeLeft(until: string, now = Date.now()): string {
  const min = Math.floor((new Date(until).getTime() - now) / 60_000);
  if (min <= 0) return "ending";
  const [d, h, m] = [Math.floor(min / 1440), Math.floor((min % 1440) / 60), min % 60];
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
}

function LiveRow({ a, isAdmin }: { a: Allocation; isAdmin: boolean }) {
  return (
    <Row>
      <MinerCells a={a} until={a.expires_at} left />
      <Cell>
        <div className="flex flex-wrap gap-1">
          <Badge tone={a.status === "ONLINE" ? "green" : "red"}>{a.status}</Badge>
          {a.state !== "active" && <Badge tone={stateTone[a.state]}>{a.state}</Badge>}
        </div>
        {a.status === "OFFLINE" && a.reason && (
          <div className="max-w-64 truncate text-xs text-zinc-500 dark:text-zinc-400" title={a.reason}>
            {a.reason}
          </div>
        )}
      </Cell>
      <Cell>{a.strikes}</Cell>
      <Cell className="text-xs">{a.checked_at ? <LocalTime at={a.checked_at} timeOnly /> : "not yet"}</Cell>
      {isAdmin && (
        <Cell>
          <Actions a={a} />
        </Cell>
      )}
    </Row>
  );
}

function Actions({ a }: { a: Allocation }) {
  const trpc = useTRPC();
  const client = useQueryClient();
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | null>(null);
  const [key, setKey] = useState<string | null>(null);
  const act = useMutation(
    trpc.compute.act.mutationOptions({
      onSuccess: (r) => {
        setAnswer({ ok: true, text: r.message });
        setKey(null);
        void client.invalidateQueries({ queryKey: trpc.compute.allocations.queryKey() });
      },
      onError: (e) => setAnswer({ ok: false, text: e.message }),
    }),
  );
  const run = (action: "restart" | "pause" | "unpause" | "deallocate") => act.mutate({ uuid: a.uuid_key, action });
  const label = `${a.resource || "machine"} ${shortKey(a.hotkey)}`;
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap gap-1">
        <SmallButton disabled={act.isPending} onClick={() => run("restart")} label={`Restart ${label}`}>
          Restart
        </SmallButton>
        {a.state === "paused" ? (
          <SmallButton disabled={act.isPending} onClick={() => run("unpause")} label={`Unpause ${label}`}>
            Unpause
          </SmallButton>
        ) : (
          <SmallButton
            disabled={act.isPending || a.state !== "active"}
            onClick={() => run("pause")}
            label={`Pause ${label}`}
          >
            Pause
          </SmallButton>
        )}
        <SmallButton
          disabled={act.isPending}
          onClick={() => setKey(key === null ? "" : null)}
          label={`Exchange key of ${label}`}
        >
          Exchange key
        </SmallButton>
        <SmallButton
          variant="danger"
          disabled={act.isPending}
          label={`Deallocate ${label}`}
          onClick={() => window.confirm(`Deallocate ${label}? The renter loses access at once.`) && run("deallocate")}
        >
          Deallocate
        </SmallButton>
      </div>
      {key !== null && (
        <form
          className="flex gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            act.mutate({ uuid: a.uuid_key, action: "exchange_key", ssh_key: key });
          }}
        >
          <label className="sr-only" htmlFor={`key-${a.uuid_key}`}>
            New SSH public key
          </label>
          <Input
            id={`key-${a.uuid_key}`}
            placeholder="ssh-ed25519 AAAA… you@host"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            className="w-56 py-1 text-xs"
          />
          <Button type="submit" className="px-2 py-1 text-xs" disabled={act.isPending}>
            Send
          </Button>
        </form>
      )}
      {answer && (
        <p
          role="status"
          className={`text-xs ${answer.ok ? "text-emerald-700 dark:text-emerald-400" : "text-rose-700 dark:text-rose-400"}`}
        >
          {answer.text}
        </p>
      )}
    </div>
  );
}

function SmallButton({
  label,
  variant = "secondary",
  ...props
}: { label: string; variant?: "secondary" | "danger" } & Omit<React.ButtonHTMLAttributes<HTMLButtonElement>, "type">) {
  return <Button type="button" variant={variant} className="px-2 py-1 text-xs" aria-label={label} {...props} />;
}

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

/** The private key file that goes with a public key line's type. */
function privateKeyFile(publicKey: string): string {
  const type = publicKey.split(" ")[0] ?? "";
  if (type.includes("ed25519")) return "~/.ssh/id_ed25519";
  if (type.includes("ecdsa")) return "~/.ssh/id_ecdsa";
  return "~/.ssh/id_rsa";
}

function AllocateCard({ inventory, rentHotkey }: { inventory: Inventory; rentHotkey?: string }) {
  const trpc = useTRPC();
  const client = useQueryClient();
  const free = inventory.miners.filter((m) => m.status === "available");
  const [mode, setMode] = useState<"spec" | "hotkey">(rentHotkey ? "hotkey" : "spec");
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
  const invalid = mode === "spec" ? (!spec.success ? spec.error.issues[0] : null) : null;
  const keyError = !docker.success ? docker.error.issues[0]?.message : null;
  const none = mode === "spec" && matches.data?.count === 0;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!docker.success) return;
    if (mode === "spec" && spec.success)
      allocate.mutate({ by: "spec", requirements: spec.data, docker_requirement: docker.data });
    else if (mode === "hotkey" && hotkey) allocate.mutate({ by: "hotkey", hotkey, docker_requirement: docker.data });
  };
  return (
    <Card title="Allocate">
      {credentials && <CredentialsPanel c={credentials} onDone={() => setCredentials(null)} />}
      <form onSubmit={submit} className="space-y-3" aria-label="Allocate a machine">
        <div role="radiogroup" aria-label="Allocate by" className="flex gap-4 text-sm">
          {(["spec", "hotkey"] as const).map((m) => (
            <label key={m} className="flex items-center gap-1">
              <input type="radio" name="allocate-mode" checked={mode === m} onChange={() => edit(setMode)(m)} />
              {m === "spec" ? "By spec" : "By miner"}
            </label>
          ))}
        </div>
        {mode === "spec" ? (
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
            {SPEC_FIELDS.map((f) => (
              <label key={f.name} className="text-xs text-zinc-600 dark:text-zinc-300">
                {f.label}
                <Input
                  name={f.name}
                  inputMode={f.kind === "number" ? "numeric" : "text"}
                  placeholder={f.placeholder}
                  value={values[f.name]}
                  onChange={(e) => edit(setValues)({ ...values, [f.name]: e.target.value })}
                  className="mt-1"
                />
              </label>
            ))}
          </div>
        ) : (
          <label className="block text-xs text-zinc-600 dark:text-zinc-300">
            Miner
            <Select name="hotkey" value={hotkey} onChange={(e) => edit(setHotkey)(e.target.value)} className="mt-1">
              <option value="">Pick a free machine…</option>
              {free.map((m) => (
                <option key={m.hotkey} value={m.hotkey}>
                  {m.gpuName ? `${m.gpuCount}x ${m.gpuName}` : "CPU only"} · {m.cpuCount} CPUs · {shortKey(m.hotkey)}
                </option>
              ))}
            </Select>
          </label>
        )}
        <label className="block text-xs text-zinc-600 dark:text-zinc-300">
          Your SSH public key (optional: the password works too)
          <Input
            name="ssh_key"
            placeholder="ssh-ed25519 AAAA… you@host"
            value={sshKey}
            onChange={(e) => edit(setSshKey)(e.target.value)}
            className="mt-1"
          />
        </label>
        <div className="flex flex-wrap items-center gap-3">
          <Button
            type="submit"
            disabled={allocate.isPending || !!invalid || !!keyError || none || (mode === "hotkey" && !hotkey)}
          >
            {allocate.isPending ? "Allocating…" : "Allocate"}
          </Button>
          <span className="text-sm text-zinc-600 dark:text-zinc-300" aria-live="polite" data-testid="allocate-matches">
            {mode === "spec"
              ? invalid
                ? inWords(invalid as Parameters<typeof inWords>[0])
                : matches.data
                  ? `${matches.data.count} free ${matches.data.count === 1 ? "machine matches" : "machines match"}`
                  : ""
              : `${free.length} free ${free.length === 1 ? "machine" : "machines"}`}
          </span>
          {keyError && sshKey && <span className="text-sm text-rose-700 dark:text-rose-400">{keyError}</span>}
        </div>
        {none && matches.data?.why && (
          <p className="text-sm text-zinc-600 dark:text-zinc-300" data-testid="allocate-why">
            {matches.data.why}
          </p>
        )}
        {error && (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-400">
            {error}
          </p>
        )}
      </form>
    </Card>
  );
}

/** The credentials, shown once: the password is not kept by this page after it is dismissed. */
function CredentialsPanel({ c, onDone }: { c: Credentials; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied.`);
    } catch {
      setCopied("Copying is not allowed here: select the text and copy it.");
    }
  };
  // With the renter's key: log in with it (the password line otherwise).
  const rows: Array<[string, string]> = c.ssh_key
    ? [
        ["SSH command", `ssh -i ${privateKeyFile(c.ssh_key)} ${c.ssh_username}@${c.ssh_ip} -p ${c.ssh_port}`],
        ["uuid_key", c.uuid_key],
      ]
    : [
        ["SSH command", c.ssh_command],
        ["Password", c.ssh_password],
        ["uuid_key", c.uuid_key],
      ];
  return (
    <div
      className="mb-4 rounded-lg border border-emerald-300 bg-emerald-50 p-3 dark:border-emerald-800 dark:bg-emerald-950"
      data-testid="allocation-credentials"
    >
      <p className="text-sm font-medium text-emerald-900 dark:text-emerald-200">
        Allocated {c.resource || "a machine"} ({shortKey(c.hotkey)}).{" "}
        {c.ssh_key
          ? "Log in with your key; save the uuid_key to manage the rental."
          : "Save the password now: it is shown only once."}
      </p>
      <dl className="mt-2 space-y-1 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="flex flex-col gap-1 sm:flex-row sm:items-center sm:gap-2">
            <dt className="text-zinc-600 sm:w-28 dark:text-zinc-300">{k}</dt>
            <dd className="flex items-center gap-2">
              <span className="break-all font-mono text-xs text-zinc-900 dark:text-zinc-100">{v}</span>
              <Button
                type="button"
                variant="secondary"
                className="px-2 py-0.5 text-xs"
                onClick={() => copy(k, v)}
                aria-label={`Copy ${k}`}
              >
                Copy
              </Button>
            </dd>
          </div>
        ))}
      </dl>
      <div className="mt-2 flex items-center gap-3">
        <Button type="button" onClick={onDone}>
          I saved them
        </Button>
        {copied && (
          <span role="status" className="text-xs text-zinc-600 dark:text-zinc-300">
            {copied}
          </span>
        )}
      </div>
    </div>
  );
}
