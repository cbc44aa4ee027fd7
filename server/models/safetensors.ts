/**
 * The safetensors format, owned here (no npm package reads local files): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {str: str}}, then the data; offsets are relative to the end of the header. Pure: no I/O.
 */

export const DTYPE_SIZES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** Headers larger than this are refused (upstream's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/**
 * `message` may quote the file (tensor names, numbers) for the operator's own models; `safeMessage` says
 * which rule was broken without a byte of the file, for files that come from elsewhere (checkpoints).
 */
export class SafetensorsError extends Error {
  constructor(
    message: string,
    readonly safeMessage: string = message,
  ) {
    super(message);
  }
}

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Bytes of the JSON header (N). */
  headerBytes: number;
  /** Offset of the data section in the file: 8 + N. */
  dataStart: number;
  tensors: TensorInfo[];
  metadata: Record<string, string>;
}

export function readHeaderLength(first8: Uint8Array, fileSize: number): number {
  if (first8.length < 8 || fileSize < 8) throw new SafetensorsError("file is shorter than 8 bytes");
  const n = Buffer.from(first8.buffer, first8.byteOffset, 8).readBigUInt64LE(0);
  if (n < 2n) throw new SafetensorsError("header length is too small");
  if (n > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(
      `header length ${n} exceeds ${MAX_HEADER_BYTES} bytes`,
      `header length exceeds ${MAX_HEADER_BYTES} bytes`,
    );
  if (n > BigInt(fileSize - 8))
    throw new SafetensorsError(
      `header length ${n} runs past the end of the file`,
      "header length runs past the end of the file",
    );
  return Number(n);
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parses and validates the JSON header of a file of `fileSize` bytes. */
export function parseHeader(json: Uint8Array | string, headerBytes: number, fileSize: number): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof json === "string" ? json : Buffer.from(json).toString("utf8"));
  } catch {
    throw new SafetensorsError("header is not valid JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new SafetensorsError("header is not a JSON object");
  const dataStart = 8 + headerBytes;
  const dataBytes = fileSize - dataStart;
  const tensors: TensorInfo[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (
        typeof value !== "object" ||
        value === null ||
        Array.isArray(value) ||
        !Object.values(value).every((v) => typeof v === "string")
      ) {
        throw new SafetensorsError("__metadata__ must map strings to strings");
      }
      metadata = value as Record<string, string>;
      continue;
    }
    const t = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== "object" || t === null)
      throw new SafetensorsError(`tensor ${name}: not an object`, "a tensor entry is not an object");
    if (typeof t.dtype !== "string" || !(t.dtype in DTYPE_SIZES))
      throw new SafetensorsError(`tensor ${name}: unknown dtype ${String(t.dtype)}`, "a tensor has an unknown dtype");
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new SafetensorsError(`tensor ${name}: bad shape`, "a tensor has a bad shape");
    const offs = t.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw new SafetensorsError(`tensor ${name}: bad data_offsets`, "a tensor has bad data_offsets");
    const [begin, end] = offs as [number, number];
    if (end < begin)
      throw new SafetensorsError(
        `tensor ${name}: data_offsets end before they begin`,
        "a tensor's data_offsets end before they begin",
      );
    if (end > dataBytes)
      throw new SafetensorsError(
        `tensor ${name}: data_offsets run past the end of the file`,
        "a tensor's data_offsets run past the end of the file",
      );
    const expected = elementCount(t.shape as number[]) * DTYPE_SIZES[t.dtype];
    if (expected !== end - begin)
      throw new SafetensorsError(
        `tensor ${name}: ${end - begin} bytes for ${t.dtype}${JSON.stringify(t.shape)}, expected ${expected}`,
        "a tensor's byte size does not match its dtype and shape",
      );
    tensors.push({ name, dtype: t.dtype, shape: t.shape as number[], begin, end });
  }
  const byOffset = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1];
    const cur = byOffset[i];
    if (cur.begin < prev.end && cur.end > cur.begin)
      throw new SafetensorsError(`tensors ${prev.name} and ${cur.name} overlap`, "two tensors overlap");
  }
  return { headerBytes, dataStart, tensors, metadata };
}

export interface ComposedTensor {
  name: string;
  dtype: string;
  shape: number[];
}

/**
 * Writes the header for `tensors` laid out back to back in the given order, with `metadata`.
 * The JSON is padded with spaces to a multiple of 8 bytes so the data section stays aligned.
 */
export function composeHeader(
  tensors: ComposedTensor[],
  metadata: Record<string, string> = {},
): { header: Buffer; offsets: Array<[number, number]>; dataBytes: number } {
  const obj: Record<string, unknown> = {};
  if (Object.keys(metadata).length) obj.__metadata__ = metadata;
  const offsets: Array<[number, number]> = [];
  let pos = 0;
  for (const t of tensors) {
    const size = elementCount(t.shape) * DTYPE_SIZES[t.dtype];
    obj[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [pos, pos + size] };
    offsets.push([pos, pos + size]);
    pos += size;
  }
  let json = JSON.stringify(obj);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const body = Buffer.from(json, "utf8");
  const header = Buffer.alloc(8 + body.length);
  header.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(header, 8);
  return { header, offsets, dataBytes: pos };
}

/** Tensors of routed experts: model.layers.{L}.mlp.experts.{E}.* */
const EXPERT_TENSOR = /^model\.layers\.(\d+)\.mlp\.experts\.(\d+)\./;

export function expertOf(name: string): { layer: number; expert: number } | null {
  const m = EXPERT_TENSOR.exec(name);
  return m ? { layer: Number(m[1]), expert: Number(m[2]) } : null;
}
