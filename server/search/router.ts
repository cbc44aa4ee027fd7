/** The search pages: the playground's live stream, the miners' state and windows, the query log. */
import { z } from "zod";
import { searchMinersInput, searchMinersView } from "./queries";
import { pyJsonDumps } from "../bittensor";
import { TRPCError } from "@trpc/server";
import { WindowCounter } from "../rate-limit";
import { adminProcedure, router, viewerProcedure } from "../trpc/init";
import { searchRequestSchema } from "./forms";
import { candidates } from "./miners";
import { searchHealth } from "./health";
import type { StreamOutcome } from "./checks";
import { sseFrame } from "./organic";
import { recordOrganic } from "./query-log";
import { searchObjects, streamFields } from "./relay";

export const playgroundInput = searchRequestSchema
  .pick({
    prompt: true,
    tools: true,
    model: true,
    count: true,
    date_filter: true,
    result_type: true,
  })
  .extend({
    /** One miner to ask (an operator testing it); otherwise one is chosen by weight, as for /search. */
    hotkey: z.string().max(64).optional(),
  });

/** Playground searches per admin per minute: each one calls a miner and is scored into its window. */
export const PLAYGROUND_PER_MINUTE = 10;
const playgroundSearches = new WindowCounter(PLAYGROUND_PER_MINUTE, 60_000, 1_000);

export type PlaygroundEvent =
  | { kind: "object"; frame: string; object: Record<string, unknown>; atMs: number }
  | {
      kind: "end";
      hotkey: string | null;
      status: number;
      message: string;
      firstByteMs: number | null;
      latencyMs: number;
    };

export const searchRouter = router({
  /** Overview's search card. */
  health: viewerProcedure.query(() => searchHealth()),
  /** Streams one search as /search would, with each SSE frame and the miner's outcome at the end. */
  playground: adminProcedure
    .input(playgroundInput)
    .use(({ ctx, next }) => {
      if (!playgroundSearches.take(ctx.user.id))
        throw new TRPCError({
          code: "TOO_MANY_REQUESTS",
          message: `At most ${PLAYGROUND_PER_MINUTE} searches a minute from the playground`,
        });
      return next();
    })
    .subscription(async function* ({ input, signal }) {
      const fields = streamFields({ ...input, tools: input.tools });
      const started = performance.now();
      const miner = input.hotkey
        ? ((await candidates("ai_search")).find((c) => c.axon.hotkey === input.hotkey) ?? null)
        : undefined;
      if (miner === null) {
        yield {
          kind: "end",
          hotkey: input.hotkey ?? null,
          status: 404,
          message: "Not a serving search miner",
          firstByteMs: null,
          latencyMs: 0,
        } as PlaygroundEvent;
        return;
      }
      const ended: { o: StreamOutcome | null } = { o: null };
      const abort = new AbortController();
      signal?.addEventListener("abort", () => abort.abort(), { once: true });
      try {
        for await (const batch of searchObjects(fields, abort.signal, (o) => (ended.o = o), miner))
          for (const object of batch)
            yield {
              kind: "object",
              frame: sseFrame(pyJsonDumps(object)),
              object,
              atMs: performance.now() - started,
            } as PlaygroundEvent;
      } catch {
        // the outcome says why
      } finally {
        const o = ended.o;
        if (o) recordOrganic("playground", fields, o);
      }
      const o = ended.o;
      yield {
        kind: "end",
        hotkey: o?.hotkey ?? null,
        status: o?.status ?? 503,
        message: o?.message ?? "No search miner is available",
        firstByteMs: o?.firstByteMs ?? null,
        latencyMs: o?.latencyMs ?? 0,
      } as PlaygroundEvent;
    }),

  /** The miners a playground search can be sent to: those /search chooses from, with their weight. */
  candidates: adminProcedure.query(async () =>
    (await candidates("ai_search")).map((c) => ({ hotkey: c.axon.hotkey, uid: c.uid, weight: c.weight })),
  ),

  /** Per miner and type: state, windows of the last 72 h; and the recent queries (filtered). */
  miners: viewerProcedure.input(searchMinersInput).query(({ input }) => searchMinersView(input)),
});
