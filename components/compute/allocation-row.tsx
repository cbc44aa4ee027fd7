"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc";
import { Badge, Button, Input } from "@/components/ui";
import { Cell, Row } from "@/components/ui/table";
import { shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import { stateTone, type Allocation } from "./allocation-types";

/** Miner, GPU, since and until (live rentals: the time left, the end date on hover): the first cells of both tables. */
export function MinerCells({ a, until, left = false }: { a: Allocation; until: string | null; left?: boolean }) {
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

export function LiveRow({ a, isAdmin }: { a: Allocation; isAdmin: boolean }) {
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
        <KeyForm
          id={`key-${a.uuid_key}`}
          value={key}
          onChange={setKey}
          disabled={act.isPending}
          onSubmit={() => act.mutate({ uuid: a.uuid_key, action: "exchange_key", ssh_key: key })}
        />
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

/** The renter's new SSH public key, sent with Exchange key. */
function KeyForm(p: { id: string; value: string; onChange(v: string): void; onSubmit(): void; disabled: boolean }) {
  return (
    <form
      className="flex gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        p.onSubmit();
      }}
    >
      <label className="sr-only" htmlFor={p.id}>
        New SSH public key
      </label>
      <Input
        id={p.id}
        placeholder="ssh-ed25519 AAAA… you@host"
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        className="w-56 py-1 text-xs"
      />
      <Button type="submit" className="px-2 py-1 text-xs" disabled={p.disabled}>
        Send
      </Button>
    </form>
  );
}

function SmallButton({
  label,
  variant = "secondary",
  ...props
}: { label: string; variant?: "secondary" | "danger" } & Omit<React.ButtonHTMLAttributes<HTMLButtonElement>, "type">) {
  return <Button type="button" variant={variant} className="px-2 py-1 text-xs" aria-label={label} {...props} />;
}
