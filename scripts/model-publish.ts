/**
 * `npm run model:publish -- <dir> --version <name> [--block <n>]`: validates a model directory
 * (Hugging Face layout), hashes every download it will serve, and publishes it as the served version.
 * A running console picks it up within seconds.
 */
import { closeDb } from "../server/db";
import { migrate } from "../server/db/migrate";
import { config } from "../server/env";
import { isAppError } from "../server/errors";
import { publishVersion } from "../server/models";

async function main() {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const name = flag("--version");
  const block = flag("--block");
  const dir = args[0];
  if (!dir || !name || (block !== undefined && !/^\d+$/.test(block))) {
    console.error("usage: npm run model:publish -- <model dir> --version <name> [--block <n>]");
    process.exit(2);
  }
  await migrate(config().DATABASE_URL);
  try {
    const v = await publishVersion({ dir, name, blockNumber: Number(block ?? 0), by: "cli" });
    const full = v.artifacts.get("full")!;
    console.log(
      `published ${v.name}: ${full.composition.tensorCount} tensors, ${full.composition.length} bytes, ${v.catalog.groups.length} expert groups, sha256 ${full.sha256}`,
    );
  } catch (e) {
    console.error(isAppError(e) ? e.message : e);
    process.exitCode = 1;
  } finally {
    await closeDb();
  }
}

void main();
