"use client";
import { useEffect, useRef, useState } from "react";
import { skipToken, useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/lib/trpc";
import { Badge, Button, Card, cx, Input, Select } from "@/components/ui";
import { shortKey } from "@/components/ui/format";
import { AVAILABLE_TOOLS, DATE_FILTERS, MODELS, RESULT_TYPES } from "@/server/search/forms";
import type { PlaygroundEvent } from "@/server/search/router";

type Obj = Record<string, unknown>;
type Tweet = { id: string; text: string; url?: string | null; created_at: string; user?: { username: string } | null };
type Link = { title: string; snippet: string; link: string; date?: string | null };
interface Run {
  frames: string[];
  tweets: Tweet[];
  links: Link[];
  scores: Record<string, string>;
  summary: string;
  end: { hotkey: string | null; status: number; message: string; firstByteMs: number | null; latencyMs: number } | null;
}
const empty = (): Run => ({ frames: [], tweets: [], links: [], scores: {}, summary: "", end: null });
const scoreTone = { HIGH: "green", MEDIUM: "amber", LOW: "gray" } as const;

type PlaygroundInput = Exclude<
  Parameters<ReturnType<typeof useTRPC>["search"]["playground"]["subscriptionOptions"]>[0],
  typeof skipToken
>;
const CLIENT_DEADLINE_S = 60;

/** One search's subscription; remounted (a new key) for each search, so Retry asks again. */
function Stream({
  value,
  onData,
  onError,
}: {
  value: PlaygroundInput | typeof skipToken;
  onData: (ev: PlaygroundEvent) => void;
  onError: (status: number, message: string) => void;
}) {
  const trpc = useTRPC();
  useSubscription(
    trpc.search.playground.subscriptionOptions(value, {
      onData,
      // Refused (signed out, not an admin, over the rate limit) or the connection failed: the outcome says why.
      onError: (e) => onError(e.data?.httpStatus ?? 500, e.message),
    }),
  );
  return null;
}

export function SearchPlayground({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const [prompt, setPrompt] = useState("What does minisearch do?");
  const [tools, setTools] = useState<string[]>([...AVAILABLE_TOOLS]);
  const [model, setModel] = useState<(typeof MODELS)[number]>("NOVA");
  const [count, setCount] = useState("10");
  const [dateFilter, setDateFilter] = useState<(typeof DATE_FILTERS)[number]>("PAST_MONTH");
  const [resultType, setResultType] = useState<(typeof RESULT_TYPES)[number]>("LINKS_WITH_FINAL_SUMMARY");
  const [hotkey, setHotkey] = useState("");
  const miners = useQuery({ ...trpc.search.candidates.queryOptions(), enabled: isAdmin, refetchInterval: 5_000 });
  const [input, setInput] = useState<null | { key: number; value: PlaygroundInput }>(null);
  const [run, setRun] = useState<Run>(empty);
  const n = Number(count);
  const valid = prompt.trim().length > 0 && tools.length > 0 && Number.isInteger(n) && n >= 10 && n <= 200;

  const onData = (ev: PlaygroundEvent) =>
    setRun((r) => {
      if (ev.kind === "end") return { ...r, end: ev };
      const o = ev.object as Obj;
      const next = { ...r, frames: [...r.frames, ev.frame.trimEnd()] };
      if (o.type === "tweets") next.tweets = [...r.tweets, ...((o.content as Tweet[]) ?? [])];
      else if (o.type === "search") next.links = [...r.links, ...((o.content as Link[]) ?? [])];
      else if (o.type === "miner_link_scores") next.scores = { ...r.scores, ...(o.content as Record<string, string>) };
      else if (o.type === "text" && o.role === "summary") next.summary = r.summary + String(o.content ?? "");
      return next;
    });
  const stop = (status: number, message: string) =>
    setRun((r) => (r.end ? r : { ...r, end: { hotkey: null, status, message, firstByteMs: null, latencyMs: 0 } }));
  const running = input !== null && run.end === null;
  const start = (value: PlaygroundInput) => {
    setRun(empty());
    setInput({ key: Date.now(), value });
  };
  // The console ends every search by its deadline (45 s at most); past this the connection itself is lost.
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(() => stop(504, `No answer within ${CLIENT_DEADLINE_S} s`), CLIENT_DEADLINE_S * 1000);
    return () => clearTimeout(t);
  }, [running, input?.key]);
  // The raw events follow the stream.
  const log = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [run.frames.length]);

  return (
    <div className="grid gap-4 xl:grid-cols-[2fr_1fr]">
      <div className="space-y-4">
        <Card title="Ask the miners">
          {!isAdmin && (
            <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-300" data-testid="playground-admins-only">
              Searching from here is for admins: each search calls a miner and counts toward its score.
            </p>
          )}
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (!valid) return;
              start({
                prompt,
                tools: tools as never,
                model,
                count: n,
                date_filter: dateFilter,
                result_type: resultType,
                ...(hotkey ? { hotkey } : {}),
              });
            }}
          >
            <label className="block text-sm">
              <span className="text-zinc-600 dark:text-zinc-300">Prompt</span>
              <Input value={prompt} maxLength={2000} onChange={(e) => setPrompt(e.target.value)} className="w-full" />
            </label>
            <fieldset className="flex flex-wrap gap-4 text-sm">
              <legend className="sr-only">Tools</legend>
              {AVAILABLE_TOOLS.map((t) => (
                <label key={t} className="flex items-center gap-1">
                  <input
                    type="checkbox"
                    checked={tools.includes(t)}
                    onChange={(e) => setTools(e.target.checked ? [...tools, t] : tools.filter((x) => x !== t))}
                  />
                  {t}
                </label>
              ))}
            </fieldset>
            <div className="flex flex-wrap items-end gap-3 text-sm">
              <Choice label="Model" value={model} onChange={(v) => setModel(v as typeof model)} options={MODELS} />
              <label>
                <span className="block text-zinc-600 dark:text-zinc-300">Count (10-200)</span>
                <Input
                  type="number"
                  min={10}
                  max={200}
                  value={count}
                  onChange={(e) => setCount(e.target.value)}
                  className="w-24"
                />
              </label>
              <Choice
                label="Date filter"
                value={dateFilter}
                onChange={(v) => setDateFilter(v as typeof dateFilter)}
                options={DATE_FILTERS}
              />
              <Choice
                label="Result"
                value={resultType}
                onChange={(v) => setResultType(v as typeof resultType)}
                options={RESULT_TYPES}
              />
              <label>
                <span className="block text-zinc-600 dark:text-zinc-300">Miner</span>
                <Select value={hotkey} onChange={(e) => setHotkey(e.target.value)}>
                  <option value="">any (chosen by weight, as /search)</option>
                  {(miners.data ?? []).map((m) => (
                    <option key={m.hotkey} value={m.hotkey}>
                      {`UID ${m.uid} · ${shortKey(m.hotkey)}`}
                    </option>
                  ))}
                </Select>
              </label>
              <Button type="submit" disabled={!isAdmin || !valid || running}>
                {running ? "Searching…" : "Search"}
              </Button>
            </div>
          </form>
        </Card>
        {input && <Stream key={input.key} value={running ? input.value : skipToken} onData={onData} onError={stop} />}
        {input && (
          <Card title="Answer">
            <div className="mb-3 flex flex-wrap items-center gap-3">
              <p className="text-sm text-zinc-600 dark:text-zinc-300" role="status" data-testid="playground-outcome">
                {run.end
                  ? run.end.status === 200
                    ? `Answered by ${shortKey(run.end.hotkey ?? "")}: first byte ${Math.round(run.end.firstByteMs ?? 0)} ms, done in ${Math.round(run.end.latencyMs)} ms`
                    : `Failed (${run.end.status}): ${run.end.message}${run.end.hotkey ? ` (miner ${shortKey(run.end.hotkey)})` : ""}`
                  : "Streaming…"}
              </p>
              {running && (
                <Button type="button" onClick={() => stop(499, "Cancelled")}>
                  Cancel
                </Button>
              )}
              {run.end && run.end.status !== 200 && isAdmin && (
                <Button type="button" onClick={() => start(input.value)}>
                  Retry
                </Button>
              )}
            </div>
            {run.summary && (
              <p className="mb-3 rounded bg-zinc-50 p-3 text-sm dark:bg-zinc-800" data-testid="playground-summary">
                {run.summary}
              </p>
            )}
            <ul className="grid gap-2 md:grid-cols-2" data-testid="playground-results">
              {run.links.map((l, i) => (
                <ResultCard key={`l${i}`} score={run.scores[l.link]} text={l.snippet}>
                  <a
                    href={l.link}
                    className="font-medium text-blue-700 underline dark:text-blue-300"
                    rel="noreferrer"
                    target="_blank"
                  >
                    {l.title}
                  </a>
                </ResultCard>
              ))}
              {run.tweets.map((t, i) => (
                <ResultCard key={`t${i}`} score={t.url ? run.scores[t.url] : undefined} text={t.text}>
                  <span className="font-medium">@{t.user?.username ?? "unknown"}</span>
                </ResultCard>
              ))}
            </ul>
          </Card>
        )}
      </div>
      <Card title="Raw events (SSE)">
        <pre
          className={cx(
            "max-h-[36rem] overflow-auto whitespace-pre-wrap text-xs text-zinc-700 dark:text-zinc-300",
            // SSE lines are long JSON without spaces: break anywhere; the placeholder wraps at words.
            run.frames.length > 0 && "break-all",
          )}
          data-testid="playground-log"
          ref={log}
        >
          {run.frames.length ? run.frames.join("\n") : "Events appear here as the miner streams them."}
        </pre>
      </Card>
    </div>
  );
}

function Choice({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: readonly string[];
}) {
  return (
    <label>
      <span className="block text-zinc-600 dark:text-zinc-300">{label}</span>
      <Select value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </Select>
    </label>
  );
}

/** Snippets often carry HTML entities ("&amp;", "&#39;"): shown as the characters they stand for, never as markup. */
function decodeEntities(text: string): string {
  if (!text.includes("&") || typeof DOMParser === "undefined") return text;
  return new DOMParser().parseFromString(`<!doctype html><body>${text}`, "text/html").body.textContent ?? text;
}

/** A tool result: its title line, the miner's link score as a badge, its text. */
function ResultCard({ score, text, children }: { score?: string; text: string; children: React.ReactNode }) {
  return (
    <li className="rounded border border-zinc-200 p-2 text-sm dark:border-zinc-700">
      <div className="flex items-start justify-between gap-2">
        {children}
        {score && <Badge tone={scoreTone[score as keyof typeof scoreTone] ?? "gray"}>{score}</Badge>}
      </div>
      <p className="mt-1 line-clamp-3 text-zinc-600 dark:text-zinc-300">{decodeEntities(text)}</p>
    </li>
  );
}
