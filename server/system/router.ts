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
import { publicProcedure, router, viewerProcedure } from "../trpc/init";

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
      chain: c.chainKind === "simulated" ? `simulated, ${c.BLOCK_TIME_MS} ms blocks` : (c.SUBTENSOR_URL ?? ""),
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
