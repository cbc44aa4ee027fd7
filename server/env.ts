import { z } from "zod";
import { allowList } from "./http/client-address";
import {
  SEED_SCHEDULE,
  ScheduleError,
  formatSchedule,
  makeSchedule,
  parseSchedule,
  type Schedule,
} from "./phases/schedule";
import { lazy } from "./global";
import { QUICKNET } from "./chain/commit-reveal/quicknet";

export const ALL_ROLES = ["owner", "validator", "search", "compute"] as const;
export type Role = (typeof ALL_ROLES)[number];

const SUBTENSOR_ALIASES: Record<string, string> = {
  finney: "wss://entrypoint-finney.opentensor.ai:443",
  test: "wss://test.finney.opentensor.ai:443",
  local: "ws://127.0.0.1:9944",
};

const flag = z
  .enum(["0", "1", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const webhookUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL")
  .optional();

const int = (def: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int(`must be a whole number`).min(min).max(max).default(def);

/** Every variable the application reads. `.env.example` documents the same list. */
const schema = z
  .object({
    NODE_ENV: z.enum(["production", "development", "test"]).default("production"),
    /** Where to listen: 0.0.0.0, or 127.0.0.1 while the devnet runs (its keys are public derivation paths). */
    HOST: z.string().max(255).optional(),
    PORT: int(3000, 1, 65535),
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    /** CA certificate(s) (PEM): with it, every client must present a certificate it signed (mutual TLS). */
    TLS_CLIENT_CA: z.string().optional(),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: z
      .string()
      .default("file:./data/console.db")
      .refine((v) => v.startsWith("file:") || /^postgres(ql)?:\/\//.test(v), "must start with file: or postgres://"),
    ROLES: list.pipe(z.array(z.enum(ALL_ROLES))).transform((r) => (r.length ? r : [...ALL_ROLES])),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SUBTENSOR_URL: z
      .string()
      .optional()
      .transform((v) => (v ? (SUBTENSOR_ALIASES[v] ?? v) : undefined))
      .refine((v) => v === undefined || /^wss?:\/\//.test(v), "must be finney, test, local or a ws:// or wss:// URL"),
    NETUID: int(1, 0, 65535),
    /** Per-role subnets (on a real chain the roles are different subnets); each defaults to NETUID. */
    OWNER_NETUID: z.coerce.number().int().min(0).max(65535).optional(),
    VALIDATOR_NETUID: z.coerce.number().int().min(0).max(65535).optional(),
    SEARCH_NETUID: z.coerce.number().int().min(0).max(65535).optional(),
    COMPUTE_NETUID: z.coerce.number().int().min(0).max(65535).optional(),
    BLOCK_TIME_MS: int(12_000, 1),
    SIM_START_BLOCK: int(0, 0),
    /** Blocks per epoch of the devnet chain's subnets (commit-reveal reveals one epoch after a commit). */
    SIM_TEMPO: int(10, 1, 65_535),
    /** The drand network whose rounds timelocked weights are encrypted to (quicknet, what finney stores). */
    DRAND_PUBLIC_KEY: z
      .string()
      .regex(/^(0x)?[0-9a-fA-F]{192}$/, "a compressed G2 point: 96 bytes of hex")
      .default(QUICKNET.publicKey),
    DRAND_GENESIS: int(QUICKNET.genesis, 0),
    DRAND_PERIOD: int(QUICKNET.period, 1, 3600),
    PHASE_SCHEDULE: z
      .string()
      .default(formatSchedule(makeSchedule(SEED_SCHEDULE)))
      .transform((v, ctx) => {
        try {
          return parseSchedule(v);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: e instanceof ScheduleError ? e.message : String(e) });
          return z.NEVER;
        }
      }),
    BOOTSTRAP_PEERS: list,
    METAGRAPH_REFRESH_S: int(600, 5),
    ADMIN_USERNAME: z.string().min(1).default("admin"),
    ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
    ADMIN_HOTKEYS: list,
    /** Hotkeys that may sign in as viewers besides those registered on the subnet. */
    VIEWER_HOTKEYS: list,
    PUBLIC_DASHBOARD: flag,
    /** Where generated secrets live (0600); default: secrets.json beside the SQLite file, or ./data. */
    SECRETS_FILE: z.string().optional(),
    /** The key that encrypts secrets stored in the database (32 bytes, base64url or hex); default: generated into SECRETS_FILE. */
    SECRETS_KEY: z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || /^[0-9a-f]{64}$/i.test(v) || /^[A-Za-z0-9_-]{43}=?$/.test(v),
        "must be 32 bytes as 64 hex digits or base64url",
      ),
    NEXTAUTH_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    METRICS_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
    /** 0 lets Next serve the REST paths too (the same handlers, through Next's pipeline). */
    REST_FAST_PATH: z
      .enum(["0", "1"])
      .default("1")
      .transform((v) => v === "1"),
    JOB_POLL_MS: int(1000, 50),
    BZ_AUTH_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    MODELS_DIR: z.string().default("./data/models"),
    EXPERT_GROUPS: int(4, 1, 4096),
    VALIDATOR_HOTKEYS: list,
    ALLOW_PRIVATE_CHECKPOINT_URLS: flag,
    CHECKPOINT_CONNECT_TIMEOUT_S: int(5, 1, 600),
    CHECKPOINT_TIMEOUT_S: int(120, 1, 86_400),
    EVALUATOR: z.enum(["builtin", "command"]).default("builtin"),
    EVALUATOR_CMD: z.string().optional(),
    EVALUATOR_TIMEOUT_S: int(600, 1, 86_400),
    /** On by default on the devnet (its validator hotkey commits to the devnet's chain); off elsewhere. */
    SET_WEIGHTS: z
      .enum(["0", "1", "true", "false", "yes", "no"])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === "1" || v === "true" || v === "yes")),
    VALIDATOR_HOTKEY_SEED: z.string().min(2).optional(),
    WEIGHTS_INTERVAL_BLOCKS: int(100, 1, 100_000),
    /** A bittensor wallet on disk signs for the console (instead of VALIDATOR_HOTKEY_SEED). */
    WALLET_PATH: z.string().default("~/.bittensor/wallets"),
    WALLET_NAME: z.string().min(1).max(128).optional(),
    WALLET_HOTKEY: z.string().min(1).max(128).default("default"),
    /** This console's public IP, sent to miners as bt_header_dendrite_ip. */
    EXTERNAL_IP: z.string().max(64).optional(),
    /** How often the miners' axons are pinged (/Synapse), in seconds. */
    MINER_PING_S: int(60, 1, 86_400),
    DEVNET: z.enum(["0", "1", "auto"]).default("auto"),
    DEVNET_MINERS: int(6, 0, 64),
    /** The devnet chain's port when `npm run devnet` runs it alone (a console's own devnet takes a free port). */
    DEVNET_PORT: int(9944, 0, 65535),
    DEVNET_MINER_HOTKEYS: list,
    DEVNET_VALIDATOR_HOTKEYS: list,
    /** Outside miners on the devnet: `[role:]<ss58 hotkey>@<host>:<port>`, comma-separated. */
    DEVNET_MINER_AXONS: list.transform((items, ctx) =>
      items.flatMap((item) => {
        const m =
          /^(?:(owner|validator|search|compute):)?([1-9A-HJ-NP-Za-km-z]{46,48})@([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]{2,45}\]):(\d{1,5})$/.exec(
            item,
          );
        const port = m ? Number(m[4]) : 0;
        if (!m || port < 1 || port > 65535) {
          ctx.addIssue({
            code: "custom",
            message: `"${item.slice(0, 120)}" is not [role:]<ss58 hotkey>@<host>:<port>`,
          });
          return [];
        }
        return [{ role: (m[1] as Role | undefined) ?? null, hotkey: m[2], host: m[3].replace(/^\[|\]$/g, ""), port }];
      }),
    ),
    SHUTDOWN_TIMEOUT_MS: int(5000, 100),
    /** The compute marketplace API's key (Bearer or X-API-Key); unset: its routes answer 403. */
    COMPUTE_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
    /** How often compute miners are asked for their Specs, in seconds. */
    COMPUTE_SPECS_S: int(600, 5, 86_400),
    /** A second key for admin-only reads of the compute API (`include_secrets=true` on /list/allocations_sql). */
    /** Addresses and CIDR ranges allowed to call the compute API (others: 403); unset: any. */
    COMPUTE_ALLOWED_IPS: z
      .string()
      .max(8192)
      .optional()
      .superRefine((v, ctx) => {
        if (!v) return;
        try {
          allowList(v);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: (e as Error).message });
        }
      }),
    COMPUTE_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
    /** How often every allocation's miner is asked whether the rental is running, in seconds. */
    ALLOCATION_CHECK_S: int(180, 1, 86_400),
    /** Failed checks (or unconfirmed releases) after which an allocation ends. */
    ALLOCATION_MAX_STRIKES: int(20, 1, 1000),
    /** Webhooks about allocations (upstream's bodies, signed with WEBHOOKS_SECRET in x-webhook-signature). */
    DEALLOCATION_NOTIFY_URL: webhookUrl,
    STATUS_NOTIFY_URL: webhookUrl,
    WEBHOOKS_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    WEBHOOK_MAX_ATTEMPTS: int(10, 1, 100),
    /** Proof of GPU: blocks between rounds (default 360; 10 on the devnet), miners at once, matrix size, step deadline. */
    POG_INTERVAL_BLOCKS: z.coerce.number().int().min(1).max(1_000_000).optional(),
    POG_CONCURRENCY: int(16, 1, 256),
    /** Rent machines whose Proof of GPU does not hold (upstream's behaviour); by default GPU requests match verified ones. */
    ALLOCATE_UNVERIFIED: flag,
    POG_MATRIX_N: z.coerce.number().int().min(32).max(65_536).optional(),
    POG_STEP_TIMEOUT_S: int(120, 1, 3600),
    /** /connect's keepalive period (upstream: 30 s). */
    COMPUTE_KEEPALIVE_MS: int(30_000, 50, 3_600_000),
    DEVNET_COMPUTE_MINERS: int(8, 0, 64),
    /** The organic search API's access key (header `access-key`); unset: its private routes answer 403. */
    EXPECTED_ACCESS_KEY: z
      .string()
      .max(512)
      .optional()
      .refine(
        (k) => !k || (k.length >= 16 && /[a-z]/.test(k) && /[A-Z]/.test(k) && /\d/.test(k) && /[^A-Za-z0-9]/.test(k)),
        "must be at least 16 characters with an upper-case letter, a lower-case letter, a digit and a symbol",
      ),
    /** Ask a second search miner when the first has sent nothing after this many ms (unset: off). */
    SEARCH_HEDGE_MS: z.coerce.number().int().min(1).max(600_000).optional(),
    /** Seconds between scoring epochs of synthetic queries (3600; 20 on the devnet). */
    SEARCH_EPOCH_S: z.coerce.number().int().min(5).max(86_400).optional(),
    /** A command that fetches a sampled link or tweet for the truthfulness check (JSON on stdin and stdout). */
    SEARCH_SCORER_CMD: z.string().max(4096).optional(),
    DEVNET_SEARCH_MINERS: int(6, 0, 64),
  })
  .refine((c) => !(c.DEALLOCATION_NOTIFY_URL || c.STATUS_NOTIFY_URL) || !!c.WEBHOOKS_SECRET, {
    message: "DEALLOCATION_NOTIFY_URL and STATUS_NOTIFY_URL need WEBHOOKS_SECRET (webhooks are signed)",
    path: ["WEBHOOKS_SECRET"],
  })
  .refine((c) => !c.TLS_CLIENT_CA || !!c.TLS_CERT, {
    message: "TLS_CLIENT_CA needs TLS_CERT and TLS_KEY (mutual TLS is TLS)",
    path: ["TLS_CLIENT_CA"],
  })
  .refine((c) => !c.TLS_CERT === !c.TLS_KEY, { message: "TLS_CERT and TLS_KEY go together", path: ["TLS_CERT"] })
  .refine((c) => c.EVALUATOR !== "command" || !!c.EVALUATOR_CMD, {
    message: "EVALUATOR=command needs EVALUATOR_CMD",
    path: ["EVALUATOR_CMD"],
  })
  .refine(
    (c) =>
      !c.SET_WEIGHTS ||
      !!c.VALIDATOR_HOTKEY_SEED ||
      !!c.WALLET_NAME ||
      c.DEVNET === "1" ||
      (c.DEVNET === "auto" && !c.SUBTENSOR_URL),
    {
      message: "SET_WEIGHTS=1 needs VALIDATOR_HOTKEY_SEED or WALLET_NAME (the hotkey that signs weights)",
      path: ["VALIDATOR_HOTKEY_SEED"],
    },
  );

/** The names of every variable the application reads. */
export const CONFIG_KEYS = Object.keys(schema.shape);

export type Config = Omit<z.infer<typeof schema>, "HOST" | "SET_WEIGHTS"> & {
  HOST: string;
  SET_WEIGHTS: boolean;
  schedule: Schedule;
  databaseKind: "sqlite" | "postgres";
  /** The devnet (a local chain and its miners, in a process of its own) runs unless DEVNET=0 or SUBTENSOR_URL is set. */
  devnet: boolean;
  /** The subnet of each role. */
  netuids: Record<Role, number>;
  /** The subnets of the enabled roles, each once (the metagraphs this console keeps). */
  netuidsInUse: number[];
};

export class ConfigError extends Error {}

/** An address only this machine reaches. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable counts as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const c = result.data;
  const devnet = c.DEVNET === "1" || (c.DEVNET === "auto" && !c.SUBTENSOR_URL);
  // On the devnet each role has a subnet of its own (search and compute on the netuids they have on finney).
  const own = (netuid: number) => (devnet && netuid !== c.NETUID ? netuid : c.NETUID);
  const netuids: Record<Role, number> = {
    owner: c.OWNER_NETUID ?? c.NETUID,
    validator: c.VALIDATOR_NETUID ?? c.NETUID,
    search: c.SEARCH_NETUID ?? own(22),
    compute: c.COMPUTE_NETUID ?? own(27),
  };
  if (devnet && c.HOST && !isLoopback(c.HOST)) {
    throw new ConfigError(
      `Invalid configuration:\n  HOST: the devnet's validator and miners sign with public dev keys (//devnet-validator, ...), so anyone who reaches ${c.HOST} could sign in with them: keep the devnet on loopback (unset HOST), or turn it off (DEVNET=0)`,
    );
  }
  return {
    ...c,
    // The devnet's miners and validator sign with public dev keys: anyone who reaches the console could sign in
    // with them, so a devnet console listens on loopback unless HOST says otherwise.
    HOST: c.HOST ?? (devnet ? "127.0.0.1" : "0.0.0.0"),
    SET_WEIGHTS: c.SET_WEIGHTS ?? devnet,
    schedule: c.PHASE_SCHEDULE,
    // Without the devnet the console reads a real chain: finney unless SUBTENSOR_URL names another.
    SUBTENSOR_URL: c.SUBTENSOR_URL ?? (devnet ? undefined : SUBTENSOR_ALIASES.finney),
    databaseKind: c.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgres",
    devnet,
    netuids,
    netuidsInUse: [...new Set(c.ROLES.map((r) => netuids[r]))],
  };
}

/** The configuration of this process, parsed once from the environment. */
export const config = lazy<Config>(() => parseConfig(process.env));

/** The subnet a role serves. */
export function netuidOf(role: Role): number {
  return config().netuids[role];
}

export function roleEnabled(role: Role): boolean {
  return config().ROLES.includes(role);
}
