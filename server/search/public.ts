/** /public/miners: the miner state this validator observed, in upstream's shapes (no auth). */
import { z } from "zod";
import { findNeuron } from "../chain";
import { consoleHotkey } from "../bittensor";
import { db } from "../db";
import { netuidOf } from "../env";
import { AppError, NotFoundError } from "../errors";
import { SEARCH_TYPES } from "./protocol";

const whole = z.number().int().min(0).max(1e9);

const ACTIVE_MS = 4 * 3_600_000;
const WINDOWS_MS = 72 * 3_600_000;

const typeState = z.object({
  verified: whole,
  declared: whole,
  quality_avg: z.number(),
  unreachable_since: z.string().nullable(),
});
const validator = z.object({
  uid: whole.optional(),
  hotkey: z.string().optional(),
  coldkey: z.string().optional(),
  netuid: whole.optional(),
});
const minerItem = z.object({
  hotkey: z.string(),
  uid: whole,
  coldkey: z.string(),
  per_type: z.record(z.string(), typeState),
});
const window = z.object({
  window_start: z.string(),
  quality_score: z.number(),
  passed: z.boolean(),
  verified_concurrency: whole,
});
export const minerListSchema = z.object({ validator, miners: z.array(minerItem) }).meta({ id: "MinerListResponse" });
export const minerDetailSchema = z
  .object({ validator, miner: minerItem.extend({ windows: z.record(z.string(), z.array(window)) }) })
  .meta({ id: "MinerDetailResponse" });

const unavailable = () => new AppError(503, "unavailable", "Miner state unavailable");

async function validatorIdentity() {
  const netuid = netuidOf("search");
  const hotkey = consoleHotkey()?.address;
  const n = hotkey ? await findNeuron(hotkey, netuid) : null;
  return n ? { uid: n.uid, hotkey: n.hotkey, coldkey: n.coldkey, netuid } : hotkey ? { hotkey, netuid } : { netuid };
}

type Row = {
  searchType: string;
  verified: number;
  declared: number;
  qualityAvg: number;
  unreachableSince: Date | null;
};
function perType(rows: Row[]) {
  const by = new Map(rows.map((r) => [r.searchType, r]));
  return Object.fromEntries(
    SEARCH_TYPES.map((t) => {
      const r = by.get(t);
      return [
        t,
        r
          ? {
              verified: r.verified,
              declared: r.declared,
              quality_avg: r.qualityAvg,
              unreachable_since: r.unreachableSince?.toISOString() ?? null,
            }
          : { verified: 1, declared: 0, quality_avg: 0, unreachable_since: null },
      ];
    }),
  );
}

export async function minerList(now = Date.now()): Promise<z.infer<typeof minerListSchema>> {
  const netuid = netuidOf("search");
  let rows;
  try {
    rows = await db().searchMinerState.findMany({ where: { netuid, updatedAt: { gte: new Date(now - ACTIVE_MS) } } });
  } catch {
    throw unavailable();
  }
  const byHotkey = new Map<string, typeof rows>();
  for (const r of rows) byHotkey.set(r.hotkey, [...(byHotkey.get(r.hotkey) ?? []), r]);
  const miners = [...byHotkey].map(([hotkey, list]) => ({
    hotkey,
    uid: list[0].uid,
    coldkey: list[0].coldkey,
    per_type: perType(list),
  }));
  return { validator: await validatorIdentity(), miners: miners.sort((a, b) => a.uid - b.uid) };
}

export async function minerDetail(hotkey: string, now = Date.now()): Promise<z.infer<typeof minerDetailSchema>> {
  const netuid = netuidOf("search");
  if (hotkey.length > 64) throw new NotFoundError("Miner not found");
  let rows, windows;
  try {
    [rows, windows] = await Promise.all([
      db().searchMinerState.findMany({ where: { netuid, hotkey } }),
      db().searchWindow.findMany({
        where: { netuid, hotkey, windowStart: { gte: new Date(now - WINDOWS_MS) } },
        orderBy: { windowStart: "asc" },
      }),
    ]);
  } catch {
    throw unavailable();
  }
  if (!rows.length) throw new NotFoundError("Miner not found");
  return {
    validator: await validatorIdentity(),
    miner: {
      hotkey,
      uid: rows[0].uid,
      coldkey: rows[0].coldkey,
      per_type: perType(rows),
      windows: Object.fromEntries(
        SEARCH_TYPES.map((t) => [
          t,
          windows
            .filter((w) => w.searchType === t)
            .map((w) => ({
              window_start: w.windowStart.toISOString(),
              quality_score: w.qualityScore,
              passed: w.passed,
              verified_concurrency: w.verifiedConcurrency,
            })),
        ]),
      ),
    },
  };
}
