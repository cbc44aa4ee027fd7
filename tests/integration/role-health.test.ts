import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeHealth } from "@/server/compute/health";
import { searchHealth } from "@/server/search/health";
import { db as dbOf, type Db } from "@/server/db";
import { config } from "@/server/env";
import { freshDb } from "../support/db";

/** Overview's cards of the compute and search roles count what their pages show. */
describe("each role's card on Overview", () => {
  let db: Db;

  beforeAll(async () => {
    const fresh = await freshDb();
    db = fresh.db;
    process.env.DATABASE_URL = fresh.url;
    // Every role on one subnet here (the devnet default gives search and compute subnets of their own).
    Object.assign(process.env, { NETUID: "1", SEARCH_NETUID: "1", COMPUTE_NETUID: "1" });
    config.set(undefined);
    dbOf.set(db);
  });

  afterAll(async () => {
    delete process.env.SEARCH_NETUID;
    delete process.env.COMPUTE_NETUID;
    dbOf.set(undefined);
    await db.$disconnect();
  });

  it("compute: machines reporting, GPUs free and rented, rentals, the latest Proof of GPU of each machine", async () => {
    const machine = (hotkey: string, state: string, gpuCount: number) => ({
      netuid: 1,
      hotkey,
      state,
      gpuCount,
      checkedAt: new Date(),
    });
    await db.computeMiner.createMany({
      data: [machine("a", "reported", 8), machine("b", "reported", 4), machine("c", "unreachable", 2)],
    });
    await db.allocation.create({
      data: { uuid: "u1", netuid: 1, hotkey: "b", live: "1:b", state: "active", regkey: "k", timeline: 60 },
    });
    await db.allocation.create({
      data: { uuid: "u2", netuid: 1, hotkey: "a", live: null, state: "released", regkey: "k", timeline: 60 },
    });
    // Proof of GPU's own rental: c is being verified, not rented.
    await db.allocation.create({
      data: {
        uuid: "u3",
        netuid: 1,
        hotkey: "c",
        live: "1:c",
        state: "active",
        regkey: "k",
        timeline: 1,
        createdBy: "pog",
      },
    });
    const run = (hotkey: string, passed: boolean, finished = true) => ({
      netuid: 1,
      hotkey,
      passed,
      finishedAt: finished ? new Date() : null,
    });
    // a failed, then passed: its latest counts. b failed. c is being checked.
    await db.pogRun.create({ data: run("a", false) });
    await db.pogRun.create({ data: run("a", true) });
    await db.pogRun.create({ data: run("b", false) });
    await db.pogRun.create({ data: run("c", false, false) });
    expect(await computeHealth()).toEqual({
      machines: 3,
      reporting: 2,
      gpusFree: 8,
      gpusRented: 4,
      rentals: 1,
      verifying: 1,
      pogPassed: 1,
      pogFailed: 1,
    });
  });

  it("search: miners passing a gate, organic queries per minute and their errors in the last hour", async () => {
    const state = (hotkey: string, searchType: string, qualityAvg: number, unreachable = false) => ({
      netuid: 1,
      hotkey,
      searchType,
      uid: hotkey.charCodeAt(0),
      coldkey: "c",
      declared: 10,
      qualityAvg,
      unreachableSince: unreachable ? new Date() : null,
    });
    await db.searchMinerState.createMany({
      data: [
        state("p", "ai_search", 0.99),
        state("p", "x_search", 0),
        state("f", "ai_search", 0),
        state("u", "web_search", 0, true),
      ],
    });
    const query = (kind: string, outcome: string, minutesAgo: number) => ({
      netuid: 1,
      at: new Date(Date.now() - minutesAgo * 60_000),
      kind,
      searchType: "ai_search",
      route: "/search",
      prompt: "q",
      outcome,
      status: 200,
      latencyMs: 10,
    });
    await db.searchQuery.createMany({
      data: [
        ...Array.from({ length: 6 }, () => query("organic", "ok", 5)),
        query("organic", "timeout", 10),
        query("organic", "ok", 90), // outside the hour
        query("synthetic", "ok", 1),
      ],
    });
    expect(await searchHealth()).toEqual({
      miners: 3,
      passing: 1,
      failing: 2,
      unreachable: 1,
      organicLastHour: 7,
      organicPerMinute: 7 / 60,
      organicErrors: 1,
      syntheticLastHour: 1,
    });
  });
});
