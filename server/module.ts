/**
 * What a module gives the runtime. Each module's index.ts exports one manifest; server/modules.ts lists
 * them, and the route registry, tRPC router, job runner, navigation, Overview's module list and the
 * WebSocket upgrade map are all derived from that list. A role switched off by ROLES is absent from all.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { AnyTRPCRouter } from "@trpc/server";
import type { z } from "zod";
import type { Role } from "./env";
import type { RouteHandler } from "./rest/api-route";

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** A kind of background job: its payload is parsed with `payload` before `run` sees it, never cast. */
export interface ModuleJob<P = unknown> {
  kind: string;
  payload: z.ZodType<P>;
  /** `signal` aborts at the job's deadline or when the server stops. */
  run(payload: P, signal: AbortSignal): Promise<void>;
  /** How long a claim lasts before another worker may take the job over. */
  leaseMs?: number;
  /** The longest one run may take (10 minutes unless said): then it counts as failed and other jobs go on. */
  deadlineMs?: number;
  /** Jobs of one lane run one at a time, lanes side by side ("default" unless said). */
  lane?: string;
  /** Re-queue the same row this long after each success. */
  everyMs?: () => number;
  /** A recurring job that reads the metagraph: run again at once when it changes (the devnet's registrations). */
  onMetagraph?: boolean;
}

export interface NavEntry {
  href: string;
  label: string;
}

export interface ModuleManifest<N extends string = string, R extends AnyTRPCRouter = AnyTRPCRouter> {
  /** The tRPC namespace of the module (`trpc.<name>.*`). */
  name: N;
  /** The ROLES flag that switches it on. */
  role: Role;
  title: string;
  routes: RouteHandler[];
  router: R;
  jobs?: ModuleJob<any>[];
  /** Runs after the database and chain are up, before the server listens; returns its stop. */
  start?(): Promise<() => void | Promise<void>>;
  /** WebSocket endpoints by path. */
  upgrades?: Record<string, UpgradeHandler>;
  /** Dashboard pages, in menu order. */
  nav: NavEntry[];
}

export function defineModule<const N extends string, R extends AnyTRPCRouter>(
  m: ModuleManifest<N, R>,
): ModuleManifest<N, R> {
  return m;
}

export function defineJob<P>(job: ModuleJob<P>): ModuleJob<P> {
  return job;
}
