import { z } from "zod";
import { chain } from "../chain";
import { BadRequestError } from "../errors";
import { addPeer, listPeersForAdmin, recentCycles, removePeer, serviceInfo, timeline } from "./oracle";
import { multiaddrSchema } from "./forms";
import { adminProcedure, router, viewerProcedure } from "../trpc/init";

export const phasesRouter = router({
  schedule: viewerProcedure.query(() => serviceInfo()),
  timeline: viewerProcedure.query(() => {
    const c = chain();
    return { ...timeline(), chain: c.status(), cycles: recentCycles(c.recentHeads()) };
  }),
  peers: viewerProcedure.query(() => listPeersForAdmin()),
  addPeer: adminProcedure.input(z.object({ multiaddr: multiaddrSchema })).mutation(async ({ input, ctx }) => {
    await addPeer(input.multiaddr, ctx.user.name);
    return listPeersForAdmin();
  }),
  removePeer: adminProcedure.input(z.object({ id: z.number().int().positive() })).mutation(async ({ input }) => {
    await removePeer(input.id);
    return listPeersForAdmin();
  }),
  /** Devnet control: move the devnet chain's clock (refused on a live chain). */
  setSimulatedHead: adminProcedure
    .input(z.object({ block: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }))
    .mutation(async ({ input }) => {
      const c = chain();
      if (!c.setHead) throw new BadRequestError("The head can only be set on the devnet's chain");
      await c.setHead(input.block);
      return c.status();
    }),
});
