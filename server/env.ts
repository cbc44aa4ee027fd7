import { z } from "zod";
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

/** Shapes of environment variables, shared by the base schema and modules' own (moduleConfig). */
export const flag = z
  .enum(["0", "1", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

export const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const webhookUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL")
  .optional();

export const int = (def: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int(`must be a whole number`).min(min).max(max).default(def);

/** The variables shared by the runtime and several modules (a module's own are in its folder: moduleConfig). `.env.example` documents them all. */
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
    DEVNET_SEARCH_MINERS: int(6, 0, 64),
  })
  .refine((c) => !c.TLS_CLIENT_CA || !!c.TLS_CERT, {
    message: "TLS_CLIENT_CA needs TLS_CERT and TLS_KEY (mutual TLS is TLS)",
    path: ["TLS_CLIENT_CA"],
  })
  .refine((c) => !c.TLS_CERT === !c.TLS_KEY, { message: "TLS_CERT and TLS_KEY go together", path: ["TLS_CERT"] })
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

/** A configuration refused: one message, or one line per variable's problem. */
export class ConfigError extends Error {
  readonly lines: string[];
  constructor(problem: string | string[]) {
    super(typeof problem === "string" ? problem : `Invalid configuration:\n  ${problem.join("\n  ")}`);
    this.lines = typeof problem === "string" ? [problem] : problem;
  }
}

/** An address only this machine reaches. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Parses the environment with a schema; an empty variable counts as unset, as in most .env tooling. */
function parseEnv<S extends z.ZodType>(s: S, env: Record<string, string | undefined>): z.output<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = s.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`));
  }
  return result.data;
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const c = parseEnv(schema, env);
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
    throw new ConfigError([
      `HOST: the devnet's validator and miners sign with public dev keys (//devnet-validator, ...), so anyone who reaches ${c.HOST} could sign in with them: keep the devnet on loopback (unset HOST), or turn it off (DEVNET=0)`,
    ]);
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

/** A module's own variables: read with `()`, checked at start through its manifest. */
export interface ModuleConfig<T> {
  (): T;
  parse(env: Record<string, string | undefined>): T;
  /** The variables it reads (`.env.example` documents them too). */
  keys: string[];
}

/**
 * The variables only one module reads, declared in its folder: parsed from the environment as `config()` is, once
 * per configuration (a configuration read again, as tests do, reads them again), and refused in the same words.
 */
export function moduleConfig<S extends z.ZodObject>(s: S): ModuleConfig<z.output<S>> {
  let cached: { base: Config; value: z.output<S> } | null = null;
  const parse = (env: Record<string, string | undefined>) => parseEnv(s, env);
  const read = () => {
    const base = config();
    if (cached?.base !== base) cached = { base, value: parse(process.env) };
    return cached.value;
  };
  return Object.assign(read, { parse, keys: Object.keys(s.shape) });
}

/** The subnet a role serves. */
export function netuidOf(role: Role): number {
  return config().netuids[role];
}

export function roleEnabled(role: Role): boolean {
  return config().ROLES.includes(role);
}
