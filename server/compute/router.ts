import { db } from "../db";
import { netuidOf } from "../env";
import { router, viewerProcedure } from "../trpc/init";

export const computeRouter = router({
  /** The GPU inventory page: every compute miner as last checked, and GPUs by model. */
  inventory: viewerProcedure.query(async () => {
    const netuid = netuidOf("compute");
    const miners = await db().computeMiner.findMany({
      where: { netuid },
      orderBy: [{ gpuCount: "desc" }, { hotkey: "asc" }],
    });
    const byModel = new Map<string, { model: string; gpus: number; machines: number }>();
    for (const m of miners) {
      if (m.state !== "reported" || !m.gpuName) continue;
      const row = byModel.get(m.gpuName) ?? { model: m.gpuName, gpus: 0, machines: 0 };
      row.gpus += m.gpuCount;
      row.machines += 1;
      byModel.set(m.gpuName, row);
    }
    return {
      netuid,
      miners: miners.map(({ specs: _s, netuid: _n, ...m }) => m),
      byModel: [...byModel.values()].sort((a, b) => b.gpus - a.gpus),
    };
  }),
});
