import { randomUUID } from "node:crypto";
import type { Db } from "../db";
import { isUniqueViolation, Prisma } from "../db";
import { worthRetrying } from "../errors";

export interface JobDefinition {
  kind: string;
  /** `signal` aborts at the job's deadline (or when the runner stops): a job that awaits outsiders passes it on. */
  run(payload: unknown, signal: AbortSignal): Promise<void>;
  /**
   * The longest one run may take (DEFAULT_DEADLINE_MS unless said): past it the run counts as failed and the
   * runner goes on to other jobs, whatever the run still awaits.
   */
  deadlineMs?: number;
  /** Re-queue the same row this long after each success (a recurring job keeps its unique key). */
  everyMs?: () => number;
  /** How long a claim lasts before another worker may take the job over; renewed while running. */
  leaseMs?: number;
  /**
   * Jobs of one lane run one at a time; lanes run side by side, so a long job (a Proof of GPU round, a scoring
   * epoch that waits on miners) never holds up the others. "default" unless said.
   */
  lane?: string;
}

export interface EnqueueOptions {
  runAt?: Date;
  uniqueKey?: string;
  maxAttempts?: number;
}

/** The longest a runner waits for the server to be idle before it claims a job anyway. */
const YIELD_MAX_MS = 5000;

/** How long one run of a job may take, unless the job says otherwise. */
export const DEFAULT_DEADLINE_MS = 10 * 60_000;

/** How long stop() waits for the job in hand before it lets it go. */
const STOP_WAIT_MS = 10_000;

/** Attempts before a job goes dead, unless the job says otherwise. */
const DEFAULT_MAX_ATTEMPTS = 5;

export interface NewJob extends EnqueueOptions {
  kind: string;
  /** JSON text. */
  payload: string;
}

/**
 * One INSERT for many jobs, for the caller to run in its own transaction next to the rows the jobs are
 * about. Plain SQL both providers accept; for a burst it costs a quarter of Prisma's createMany (measured:
 * 256 rows 9 ms instead of 34 ms on SQLite, 16 rows 2 ms instead of 12 ms).
 */
export function insertJobsStatement(list: NewJob[], now = new Date()): Prisma.Sql {
  const rows = list.map(
    (j) =>
      Prisma.sql`(${j.kind}, ${j.payload}, ${j.uniqueKey ?? null}, 'queued', ${j.runAt ?? now}, 0, ${j.maxAttempts ?? DEFAULT_MAX_ATTEMPTS}, ${now}, ${now})`,
  );
  return Prisma.sql`INSERT INTO "Job" ("kind", "payload", "uniqueKey", "status", "runAt", "attempts", "maxAttempts", "createdAt", "updatedAt") VALUES ${Prisma.join(rows)}`;
}

/** Retry delay after the n-th failed attempt: 2^n seconds, at most 10 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** attempts * 1000, 600_000);
}

/**
 * A job table with leases. A worker claims a due job by a compare-and-set update on its status and
 * lease, so two instances sharing one database never run the same job at once; a crashed worker's
 * lease runs out and the job is taken over. Failures retry with backoff, then go dead.
 */
export class JobQueue {
  readonly workerId = randomUUID();
  private defs = new Map<string, JobDefinition>();
  private timers = new Map<string, NodeJS.Timeout>();
  private running = new Map<string, Promise<void>>();
  private stopped = false;
  private inHand = new Set<AbortController>();

  constructor(
    private db: Db,
    private opts: {
      pollMs: number;
      onError?: (kind: string, err: unknown) => void;
      onDone?: (kind: string, ms: number) => void;
    },
  ) {}

  define(def: JobDefinition): void {
    this.defs.set(def.kind, def);
  }

  /** Adds a job; with a uniqueKey already queued or running, returns null and adds nothing. */
  async enqueue(kind: string, payload: unknown = {}, o: EnqueueOptions = {}): Promise<number | null> {
    try {
      const job = await this.db.job.create({
        data: {
          kind,
          payload: JSON.stringify(payload),
          uniqueKey: o.uniqueKey ?? null,
          runAt: o.runAt ?? new Date(),
          maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        },
      });
      return job.id;
    } catch (e) {
      if (o.uniqueKey && isUniqueViolation(e)) return null;
      throw e;
    }
  }

  /** Makes the queued jobs with these unique keys due now (recurring jobs whose inputs just changed). */
  async runNow(uniqueKeys: string[]): Promise<void> {
    if (!uniqueKeys.length) return;
    await this.db.job.updateMany({
      where: { uniqueKey: { in: uniqueKeys }, status: "queued" },
      data: { runAt: new Date() },
    });
  }

  private kindsOf(lane?: string): string[] {
    return [...this.defs.values()]
      .filter((d) => lane === undefined || (d.lane ?? "default") === lane)
      .map((d) => d.kind);
  }

  /** Claims one due job (of `lane`'s kinds, or any), or returns null. */
  async claim(
    now = new Date(),
    lane?: string,
  ): Promise<{ id: number; kind: string; payload: string; attempts: number; maxAttempts: number } | null> {
    const kinds = this.kindsOf(lane);
    const candidates = await this.db.job.findMany({
      where: {
        kind: { in: kinds },
        OR: [
          { status: "queued", runAt: { lte: now } },
          { status: "running", lockedUntil: { lt: now } },
        ],
      },
      orderBy: { runAt: "asc" },
      take: 5,
    });
    for (const c of candidates) {
      const lease = this.defs.get(c.kind)?.leaseMs ?? 60_000;
      const { count } = await this.db.job.updateMany({
        where: { id: c.id, status: c.status, lockedUntil: c.lockedUntil, attempts: c.attempts },
        data: {
          status: "running",
          lockedBy: this.workerId,
          lockedUntil: new Date(now.getTime() + lease),
          attempts: { increment: 1 },
        },
      });
      if (count === 1)
        return { id: c.id, kind: c.kind, payload: c.payload, attempts: c.attempts + 1, maxAttempts: c.maxAttempts };
    }
    return null;
  }

  private busy: (() => boolean) | null = null;

  /**
   * Background work yields to foreground work: while `busy()` says requests are being served, the
   * runner claims no new job (for at most YIELD_MAX_MS at a time, so jobs never starve). A burst of
   * submissions is answered first; their evaluations start right after it.
   */
  yieldWhile(busy: () => boolean): void {
    this.busy = busy;
  }

  private async quiet(): Promise<void> {
    const until = Date.now() + YIELD_MAX_MS;
    while (this.busy?.() && !this.stopped && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  /** Claims and runs due jobs (of `lane`, or of every lane) until none is left. Returns how many ran. */
  async runDue(lane?: string): Promise<number> {
    let ran = 0;
    for (;;) {
      if (this.stopped) return ran;
      await this.quiet();
      const job = await this.claim(new Date(), lane);
      if (!job) return ran;
      await this.execute(job);
      ran++;
    }
  }

  private async execute(job: {
    id: number;
    kind: string;
    payload: string;
    attempts: number;
    maxAttempts: number;
  }): Promise<void> {
    const def = this.defs.get(job.kind)!;
    const lease = def.leaseMs ?? 60_000;
    const renew = setInterval(
      () => {
        void this.db.job
          .updateMany({
            where: { id: job.id, lockedBy: this.workerId, status: "running" },
            data: { lockedUntil: new Date(Date.now() + lease) },
          })
          .catch(() => undefined);
      },
      Math.max(lease / 3, 50),
    );
    const started = Date.now();
    const deadlineMs = def.deadlineMs ?? DEFAULT_DEADLINE_MS;
    const abort = new AbortController();
    this.inHand.add(abort);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`did not finish within its deadline of ${deadlineMs / 1000} s`));
      }, deadlineMs);
    });
    try {
      const run = def.run(JSON.parse(job.payload), abort.signal);
      run.catch(() => undefined); // a run left at its deadline may still fail later: nobody awaits it then
      await Promise.race([run, deadline]);
      const every = def.everyMs?.();
      await this.db.job.updateMany({
        where: { id: job.id, lockedBy: this.workerId },
        data:
          every !== undefined
            ? {
                status: "queued",
                runAt: new Date(Date.now() + every),
                attempts: 0,
                lockedBy: null,
                lockedUntil: null,
                lastError: null,
              }
            : { status: "done", uniqueKey: null, lockedBy: null, lockedUntil: null, finishedAt: new Date() },
      });
      this.opts.onDone?.(job.kind, Date.now() - started);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.opts.onError?.(job.kind, e);
      const every = def.everyMs?.();
      const retry = worthRetrying(e);
      // A recurring job is never given up for a failure a retry would repeat: it runs again at its next interval.
      const dead = job.attempts >= job.maxAttempts || (!retry && every === undefined);
      await this.db.job.updateMany({
        where: { id: job.id, lockedBy: this.workerId },
        data: dead
          ? {
              status: "dead",
              uniqueKey: null,
              lockedBy: null,
              lockedUntil: null,
              lastError: message,
              finishedAt: new Date(),
            }
          : {
              status: "queued",
              runAt: new Date(Date.now() + (retry ? retryDelayMs(job.attempts) : every!)),
              lockedBy: null,
              lockedUntil: null,
              lastError: message,
            },
      });
    } finally {
      clearTimeout(timer);
      clearInterval(renew);
      this.inHand.delete(abort);
    }
  }

  /** Runs each lane's due jobs, one loop per lane, polling every `pollMs`. */
  start(): void {
    this.stopped = false;
    const lanes = new Set([...this.defs.values()].map((d) => d.lane ?? "default"));
    for (const lane of lanes) {
      const loop = async () => {
        const run = this.runDue(lane)
          .then(() => undefined)
          .catch((e) => this.opts.onError?.("runner", e));
        this.running.set(lane, run);
        await run;
        this.running.delete(lane);
        if (!this.stopped) {
          const timer = setTimeout(loop, this.opts.pollMs);
          timer.unref();
          this.timers.set(lane, timer);
        }
      };
      void loop();
    }
  }

  /**
   * Stops claiming; waits for the job in hand to finish, at most `waitMs`, then aborts its signal and returns
   * (its lease runs out and another instance, or the next start, takes the job over).
   */
  async stop(waitMs = STOP_WAIT_MS): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (!this.running.size) return;
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      Promise.all(this.running.values()).then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), waitMs))),
    ]);
    clearTimeout(timer);
    if (!waited) for (const a of this.inHand) a.abort();
  }

  async depth(): Promise<{ queued: number; running: number; dead: number }> {
    const groups = await this.db.job.groupBy({
      by: ["status"],
      _count: { _all: true },
      where: { status: { in: ["queued", "running", "dead"] } },
    });
    const n = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
    return { queued: n("queued"), running: n("running"), dead: n("dead") };
  }
}
