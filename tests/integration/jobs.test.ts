import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { createDb } from "@/server/db";
import { migrate } from "@/server/db/migrate";
import { NotFoundError, PermanentError, UnavailableError } from "@/server/errors";
import { insertJobsStatement, JobQueue } from "@/server/jobs/queue";
import { freshDb } from "../support/db";

let url: string;
let db: Db;
let other: Db;

beforeAll(async () => {
  ({ url, db } = await freshDb());
  other = createDb(url); // a second instance's own connection
});

afterAll(async () => {
  await db?.$disconnect();
  await other?.$disconnect();
});

describe("migrations", () => {
  it("apply once: a second run finds nothing to do", async () => {
    const again = await migrate(url);
    expect(again.applied).toEqual([]);
    expect(again.total).toBeGreaterThan(0);
  });
});

describe("job queue with leases", () => {
  it("runs every job exactly once across two instances working at once", async () => {
    const ran = new Map<number, string[]>();
    const make = (name: string, conn: Db) => {
      const q = new JobQueue(conn, { pollMs: 10 });
      q.define({
        kind: "count",
        run: async (payload) => {
          const n = (payload as { n: number }).n;
          ran.set(n, [...(ran.get(n) ?? []), name]);
          await new Promise((r) => setTimeout(r, 2));
        },
      });
      return q;
    };
    const a = make("a", db);
    const b = make("b", other);
    for (let n = 0; n < 60; n++) await a.enqueue("count", { n });
    await Promise.all([a.runDue(), b.runDue(), a.runDue(), b.runDue()]);
    expect(ran.size).toBe(60);
    expect([...ran.values()].every((who) => who.length === 1)).toBe(true);
    expect((await a.depth()).queued).toBe(0);
    expect(await db.job.count({ where: { kind: "count", status: "done" } })).toBe(60);
  });

  it("runs jobs written in bulk inside the caller's transaction, and not those of a rolled-back one", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    const seen: unknown[] = [];
    q.define({ kind: "bulk", run: async (p) => void seen.push(p) });
    const later = new Date(Date.now() + 3_600_000);
    await db.$transaction(async (tx) => {
      await tx.$executeRaw(
        insertJobsStatement(
          [1, 2, 3].map((n) => ({
            kind: "bulk",
            payload: JSON.stringify({ n }),
            uniqueKey: `bulk-${n}`,
            maxAttempts: 2,
          })),
        ),
      );
      await tx.$executeRaw(insertJobsStatement([{ kind: "bulk", payload: JSON.stringify({ n: 4 }), runAt: later }]));
    });
    await expect(
      db.$transaction(async (tx) => {
        await tx.$executeRaw(insertJobsStatement([{ kind: "bulk", payload: JSON.stringify({ n: 5 }) }]));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await q.runDue()).toBe(3);
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const rows = await db.job.findMany({ where: { kind: "bulk" }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.status, r.attempts, r.maxAttempts])).toEqual([
      ["done", 1, 2],
      ["done", 1, 2],
      ["done", 1, 2],
      ["queued", 0, 5],
    ]);
    expect(rows[3].runAt.getTime()).toBe(later.getTime());
  });

  it("keeps one queued job per unique key", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    const first = await q.enqueue("unique", {}, { uniqueKey: "only-one" });
    const second = await q.enqueue("unique", {}, { uniqueKey: "only-one" });
    expect(first).toBeTypeOf("number");
    expect(second).toBeNull();
    expect(await db.job.count({ where: { uniqueKey: "only-one" } })).toBe(1);
  });

  it("lets another instance take over a job whose lease ran out", async () => {
    const crashed = new JobQueue(db, { pollMs: 10 });
    crashed.define({ kind: "takeover", leaseMs: 1000, run: async () => undefined });
    const id = await crashed.enqueue("takeover", {});
    const claimed = await crashed.claim();
    expect(claimed?.id).toBe(id); // claimed, then the instance "dies" without finishing

    const survivor = new JobQueue(other, { pollMs: 10 });
    let ran = 0;
    survivor.define({ kind: "takeover", leaseMs: 1000, run: async () => void ran++ });
    expect(await survivor.claim()).toBeNull(); // lease still held
    await new Promise((r) => setTimeout(r, 1100));
    expect(await survivor.runDue()).toBe(1);
    expect(ran).toBe(1);
    const row = await db.job.findUniqueOrThrow({ where: { id: id! } });
    expect(row.status).toBe("done");
    expect(row.attempts).toBe(2);
  });

  it("retries failures with backoff, then marks the job dead", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    let tries = 0;
    q.define({
      kind: "flaky",
      run: async () => {
        tries++;
        throw new Error(`boom ${tries}`);
      },
    });
    const id = (await q.enqueue("flaky", {}, { maxAttempts: 2, uniqueKey: "flaky" }))!;
    expect(await q.runDue()).toBe(1);
    let row = await db.job.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("queued");
    expect(row.lastError).toBe("boom 1");
    expect(row.runAt.getTime()).toBeGreaterThan(Date.now() + 1000); // backed off
    expect(await q.runDue()).toBe(0); // not due yet

    await db.job.update({ where: { id }, data: { runAt: new Date(Date.now() - 1) } });
    expect(await q.runDue()).toBe(1);
    row = await db.job.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("dead");
    expect(row.lastError).toBe("boom 2");
    expect(row.uniqueKey).toBeNull(); // the key is free for a new job
    expect((await q.depth()).dead).toBeGreaterThanOrEqual(1);
  });

  it("does not retry what a retry would repeat: a refused request or a payload that does not parse", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    const tries = { gone: 0, busy: 0, every: 0 };
    q.define({ kind: "gone", run: async () => void (tries.gone++, fail(new NotFoundError("the row is gone"))) });
    q.define({ kind: "busy", run: async () => void (tries.busy++, fail(new UnavailableError("the miner is busy"))) });
    q.define({
      kind: "refused-every",
      everyMs: () => 60_000,
      run: async () => void (tries.every++, fail(new PermanentError("the stored payload does not parse"))),
    });
    const gone = (await q.enqueue("gone", {}, { maxAttempts: 5 }))!;
    const busy = (await q.enqueue("busy", {}, { maxAttempts: 5 }))!;
    const every = (await q.enqueue("refused-every", {}, { uniqueKey: "refused-every", maxAttempts: 5 }))!;
    expect(await q.runDue()).toBe(3);
    const rows = new Map((await db.job.findMany({ where: { id: { in: [gone, busy, every] } } })).map((r) => [r.id, r]));
    // A 4xx of the service: dead after one attempt, with its reason.
    expect(rows.get(gone)).toMatchObject({ status: "dead", lastError: "the row is gone", attempts: 1 });
    // An outsider's 503: retried with backoff.
    expect(rows.get(busy)).toMatchObject({ status: "queued", lastError: "the miner is busy" });
    expect(rows.get(busy)!.runAt.getTime()).toBeLessThan(Date.now() + 10_000);
    // A recurring job is never given up: its next run is at its interval, not a backoff.
    expect(rows.get(every)).toMatchObject({ status: "queued", uniqueKey: "refused-every" });
    expect(rows.get(every)!.runAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(tries).toEqual({ gone: 1, busy: 1, every: 1 });
  });

  it("re-queues a recurring job on success, keeping its key", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    let runs = 0;
    q.define({ kind: "every", everyMs: () => 60_000, run: async () => void runs++ });
    const id = (await q.enqueue("every", {}, { uniqueKey: "every" }))!;
    expect(await q.runDue()).toBe(1);
    const row = await db.job.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("queued");
    expect(row.uniqueKey).toBe("every");
    expect(row.runAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(runs).toBe(1);
  });

  it("stop() waits for the job in hand", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    q.define({
      kind: "slow",
      run: async () => void (started(), await new Promise((r) => setTimeout(r, 200)), (finished = true)),
    });
    await q.enqueue("slow", {});
    q.start();
    await running;
    await q.stop();
    expect(finished).toBe(true);
  });

  it("a run past its deadline counts as failed, its signal aborts, and the runner goes on to the next job", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    let aborted = false;
    const after: string[] = [];
    q.define({
      kind: "stuck",
      deadlineMs: 200,
      // Awaits what never settles, as a call to a hostile miner without its own deadline would.
      run: (_p, signal) => {
        signal.addEventListener("abort", () => (aborted = true));
        return new Promise<void>(() => undefined);
      },
    });
    q.define({ kind: "next", run: async () => void after.push("ran") });
    const id = (await q.enqueue("stuck", {}, { maxAttempts: 3 }))!;
    await q.enqueue("next", {}, { runAt: new Date(Date.now() + 50) });
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 60));
    expect(await q.runDue()).toBe(2);
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(aborted).toBe(true);
    expect(after).toEqual(["ran"]);
    const row = await db.job.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "queued", lastError: "did not finish within its deadline of 0.2 s" });
  });

  it("stop() lets a job that never ends go after its wait, aborting its signal", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let aborted = false;
    q.define({
      kind: "forever",
      deadlineMs: 3_600_000,
      run: (_p, signal) => {
        started();
        signal.addEventListener("abort", () => (aborted = true));
        return new Promise<void>(() => undefined);
      },
    });
    await q.enqueue("forever", {});
    q.start();
    await running;
    const t = Date.now();
    await q.stop(300);
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(aborted).toBe(true);
  });

  it("runs lanes side by side: a long job in its own lane does not hold up the others", async () => {
    const q = new JobQueue(db, { pollMs: 10 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const done: string[] = [];
    q.define({ kind: "long", lane: "slow", run: async () => void (await held, done.push("long")) });
    q.define({ kind: "quick", run: async () => void done.push("quick") });
    await q.enqueue("long", {});
    await q.enqueue("quick", {});
    q.start();
    for (let i = 0; i < 200 && !done.includes("quick"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(done).toEqual(["quick"]);
    release();
    for (let i = 0; i < 200 && done.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await q.stop();
    expect(done).toEqual(["quick", "long"]);
  });
});

function fail(e: Error): never {
  throw e;
}
