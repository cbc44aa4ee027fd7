import { z } from "zod";
import { validatorToken } from "../auth/secrets";
import { createWalletNonce } from "../auth/wallet";
import { chain, listNeurons } from "../chain";
import { isSs58Address } from "../crypto/signature";
import { config } from "../env";
import { jobs } from "../jobs";
import { moduleList } from "../modules";
import { currentPhase, formatSchedule } from "../phases";
import { routeOutcomes } from "../rest/metrics";
import { adminProcedure, publicProcedure, router, viewerProcedure } from "../trpc/init";
import { API_KEYS, apiKeyStatus, revokeApiKey, rotateApiKey, type ApiKeyName } from "../auth/api-keys";

const apiKeyNameSchema = z.enum(Object.keys(API_KEYS) as [ApiKeyName, ...ApiKeyName[]]);

/** The keys of the REST surfaces this console serves. */
function enabledApiKeys(): ApiKeyName[] {
  const roles = config().ROLES;
  return (Object.keys(API_KEYS) as ApiKeyName[]).filter((name) => roles.includes(name));
}

export const systemRouter = router({
  overview: viewerProcedure.query(async () => {
    const c = config();
    let phase = null;
    try {
      phase = currentPhase();
    } catch {
      phase = null;
    }
    return {
      chain: chain().status(),
      phase,
      jobs: await jobs().depth(),
      neurons: (await Promise.all(c.netuidsInUse.map((n) => listNeurons(n)))).reduce((a, l) => a + l.length, 0),
      netuids: c.netuids,
      database: c.databaseKind,
      modules: moduleList(),
      requests: await routeOutcomes(),
    };
  }),
  /** What Settings shows: the configuration in force, and the miner token for admins. */
  settings: viewerProcedure.query(({ ctx }) => {
    const c = config();
    return {
      roles: c.ROLES,
      chain: chainLabel(),
      netuid: c.NETUID,
      netuids: c.netuids,
      schedule: formatSchedule(c.schedule),
      database: c.databaseKind === "sqlite" ? "SQLite" : "PostgreSQL",
      publicDashboard: c.PUBLIC_DASHBOARD,
      adminHotkeys: c.ADMIN_HOTKEYS,
      minerToken: ctx.user?.role === "admin" && c.ROLES.includes("validator") ? (validatorToken() ?? "not set") : null,
      minerTokenFromEnvironment: !!c.BZ_AUTH_TOKEN,
    };
  }),
  /** The REST surfaces' keys of the enabled roles: where each comes from, never the key itself. */
  apiKeys: adminProcedure.query(() => enabledApiKeys().map(apiKeyStatus)),
  /** A new key, shown once: the old one stops working at once. */
  rotateApiKey: adminProcedure
    .input(z.object({ name: apiKeyNameSchema }))
    .mutation(async ({ input }) => ({ key: await rotateApiKey(input.name), status: apiKeyStatus(input.name) })),
  /** Turns a REST surface off. */
  revokeApiKey: adminProcedure.input(z.object({ name: apiKeyNameSchema })).mutation(async ({ input }) => {
    await revokeApiKey(input.name);
    return apiKeyStatus(input.name);
  }),
  walletNonce: publicProcedure
    .input(
      z.object({
        address: z
          .string()
          .max(64)
          .refine((a) => isSs58Address(a), "not an SS58 address"),
      }),
    )
    .mutation(({ input, ctx }) => createWalletNonce(input.address, ctx.clientIp)),
});

/** The chain this console reads, as Settings names it. */
function chainLabel(): string {
  const status = chain.peek()?.status();
  if (!status) return config().SUBTENSOR_URL ?? "";
  return status.kind === "devnet" ? `devnet · ${status.endpoint}, ${status.blockTimeMs} ms blocks` : status.endpoint;
}
