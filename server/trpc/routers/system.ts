import { z } from "zod";
import { chain, listNeurons } from "../../chain";
import { createWalletNonce } from "../../auth/wallet";
import { ALL_ROLES, config } from "../../env";
import { isSs58Address } from "../../crypto/signature";
import { jobs } from "../../jobs";
import { currentPhase } from "../../phases";
import { publicProcedure, router, viewerProcedure } from "../init";

const MODULES: Record<(typeof ALL_ROLES)[number], { title: string; paths: string; built: boolean }> = {
  owner: { title: "Phase oracle", paths: "/get_phase, /blocks_until_next_phase, /previous_phase_blocks, /get_init_peer_id", built: true },
  validator: { title: "Validator API", paths: "/health, /model/partial, /model/full, /get-checkpoint, /submit", built: true },
  search: { title: "Organic search API", paths: "/search, /twitter/*, /web/search, /public/miners", built: false },
  compute: { title: "Compute marketplace API", paths: "/service/*, /list/*, /connect", built: false },
};

export const systemRouter = router({
  overview: viewerProcedure.query(async () => {
    const c = config();
    const status = chain().status();
    let phase = null;
    try {
      phase = currentPhase();
    } catch {
      phase = null;
    }
    return {
      chain: status,
      phase,
      jobs: await jobs().depth(),
      neurons: (await listNeurons()).length,
      database: c.databaseKind,
      modules: ALL_ROLES.map((role) => ({ role, ...MODULES[role], enabled: c.ROLES.includes(role) })),
    };
  }),
  walletNonce: publicProcedure
    .input(z.object({ address: z.string().refine((a) => isSs58Address(a), "not an SS58 address") }))
    .mutation(({ input }) => createWalletNonce(input.address)),
});
