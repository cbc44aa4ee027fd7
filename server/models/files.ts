import fs from "node:fs/promises";
import path from "node:path";
import type { CatalogTensor } from "./catalog";
import { composeHeader, DTYPE_SIZES } from "./safetensors";

/** Writes one safetensors file from F32 tensors (small models: the devnet's, merged versions). */
export async function writeSafetensors(
  file: string,
  tensors: Array<{ name: string; shape: number[]; data: Float32Array }>,
  metadata: Record<string, string> = {},
): Promise<void> {
  const { header } = composeHeader(
    tensors.map((t) => ({ name: t.name, dtype: "F32", shape: t.shape })),
    metadata,
  );
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file + ".tmp", "w");
  try {
    await handle.write(header);
    for (const t of tensors) await handle.write(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  } finally {
    await handle.close();
  }
  await fs.rename(file + ".tmp", file);
}

/** Reads F32 tensors of a catalog into memory (only for small models). */
export async function readF32Tensors(tensors: CatalogTensor[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  const handles = new Map<string, fs.FileHandle>();
  try {
    for (const t of tensors) {
      if (t.dtype !== "F32") throw new Error(`tensor ${t.name} is ${t.dtype}; only F32 is read`);
      let h = handles.get(t.file);
      if (!h) handles.set(t.file, (h = await fs.open(t.file, "r")));
      const buf = Buffer.alloc(t.end - t.begin);
      await h.read(buf, 0, buf.length, t.fileStart);
      out.set(t.name, new Float32Array(buf.buffer, buf.byteOffset, buf.length / DTYPE_SIZES.F32));
    }
  } finally {
    for (const h of handles.values()) await h.close();
  }
  return out;
}
