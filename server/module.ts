/**
 * What a module gives the runtime. Each module's index.ts exports one manifest; server/modules.ts lists
 * them, and the route registry, tRPC router, job runner (recurring jobs included), navigation, Overview's
 * module list, the OpenAPI description and the WebSocket upgrade map are all derived from that list. A role
 * switched off by ROLES is absent from all. The runtime's own background work (the metagraph, pings) is a
 * part of the same shape without a role (server/network).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { AnyTRPCRouter } from "@trpc/server";
import type { z } from "zod";
import type { DevnetManifest } from "./devnet/manifest";
import type { ModuleConfig, Role } from "./env";
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
  /**
   * A recurring job: the runner enqueues its one row at start (by kind, so instances share it) and re-queues
   * it this long after each success.
   */
  everyMs?: () => number;
  /** A recurring job's first run waits this long after start (0 unless said). */
  firstRunAfterMs?: () => number;
  /** A recurring job that is off in this configuration is not enqueued (e.g. weights with SET_WEIGHTS=0). */
  enabled?: () => boolean;
  /** A recurring job that reads the metagraph: run again at once when it changes (the devnet's registrations). */
  onMetagraph?: boolean;
}

export interface NavEntry {
  href: string;
  label: string;
}

/** What any part of the runtime may give it: background jobs, a start and stop, WebSocket endpoints. */
export interface RuntimePart<N extends string = string> {
  /** A module's tRPC namespace (`trpc.<name>.*`); a part's name. */
  name: N;
  jobs?: ModuleJob<any>[];
  /** Runs after the database and chain are up, before the server listens; returns its stop. */
  start?(): Promise<() => void | Promise<void>>;
  /** WebSocket endpoints by path. */
  upgrades?: Record<string, UpgradeHandler>;
  /** With the devnet on: what the part takes from it (its machines' host keys, its search corpus), before `start`. */
  useDevnet?(devnet: DevnetManifest): void;
}

export interface ModuleManifest<
  N extends string = string,
  R extends AnyTRPCRouter = AnyTRPCRouter,
> extends RuntimePart<N> {
  /** The ROLES flag that switches it on. */
  role: Role;
  title: string;
  /** The module's paragraph of the OpenAPI description (markdown). */
  docs: string;
  /** The variables only this module reads (`moduleConfig` in its folder): checked at start when it is on. */
  config?: ModuleConfig<unknown>;
  routes: RouteHandler[];
  router: R;
  /** Dashboard pages, in menu order. */
  nav: NavEntry[];
}

export function definePart<const N extends string>(p: RuntimePart<N>): RuntimePart<N> {
  return p;
}

export function defineModule<const N extends string, R extends AnyTRPCRouter>(
  m: ModuleManifest<N, R>,
): ModuleManifest<N, R> {
  return m;
}

export function defineJob<P>(job: ModuleJob<P>): ModuleJob<P> {
  return job;
}
