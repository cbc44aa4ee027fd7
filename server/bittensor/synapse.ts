/**
 * Synapses: the messages of the bittensor wire. A synapse is declared once (its class name, request and
 * response fields as zod shapes, the fields the body hash covers) and both the dendrite and the axon take
 * their types from the declaration. Header and hash rules are bittensor 10.x's (REFERENCE section 6).
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { pyStr, type PyKind } from "./python";

/** bittensor's version_as_int for 10.0.1 (major*1e6 + minor*1e3 + patch): the nonce rule of >= 7.2.0. */
export const BT_VERSION = 10_000_001;
export const V_7_2_0 = 7_002_000;

export interface SynapseDef<
  Req extends z.ZodRawShape = z.ZodRawShape,
  Res extends z.ZodRawShape = z.ZodRawShape,
  Streaming extends boolean = boolean,
> {
  /** The Python class name: the route (/Name) and the `name` field. */
  name: string;
  /** Fields the caller fills. */
  request: z.ZodObject<Req>;
  /** Fields the miner fills (optional on the way in). */
  response: z.ZodObject<Res>;
  /** Fields without a default in the Python class: sent as bt_header_input_obj_<field>. */
  required: ReadonlyArray<keyof Req & string>;
  /** required_hash_fields: covered by computed_body_hash, in this order. */
  hashFields: ReadonlyArray<keyof Req & string>;
  /** A StreamingSynapse: the axon answers a chunked body. */
  streaming: Streaming;
}

/** Any declared synapse (the generic bound of calls and handlers). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySynapse = SynapseDef<any, any, boolean>;
export type RequestOf<S extends AnySynapse> = z.infer<S["request"]>;
export type ResponseOf<S extends AnySynapse> = z.infer<S["response"]>;

export function defineSynapse<
  const Req extends z.ZodRawShape,
  const Res extends z.ZodRawShape = Record<never, never>,
  const Streaming extends boolean = false,
>(def: {
  name: string;
  request: Req;
  response?: Res;
  required?: ReadonlyArray<keyof Req & string>;
  hashFields?: ReadonlyArray<keyof Req & string>;
  streaming?: Streaming;
}): SynapseDef<Req, Res, Streaming> {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(def.name)) throw new Error(`synapse name ${def.name}: a Python identifier`);
  return {
    name: def.name,
    request: z.object(def.request),
    response: z.object((def.response ?? {}) as Res),
    required: def.required ?? [],
    hashFields: def.hashFields ?? [],
    streaming: (def.streaming ?? false) as Streaming,
  };
}

/** The base Synapse every axon serves as a ping. */
export const PingSynapse = defineSynapse({ name: "Synapse", request: {} });

/** TerminalInfo: one side of a call, as it travels in bt_header_axon_* / bt_header_dendrite_* headers. */
export interface TerminalInfo {
  status_code?: number | null;
  status_message?: string | null;
  process_time?: number | null;
  ip?: string | null;
  port?: number | null;
  version?: number | null;
  nonce?: bigint | null;
  uuid?: string | null;
  hotkey?: string | null;
  signature?: string | null;
}

const TERMINAL_FIELDS = [
  "status_code",
  "status_message",
  "process_time",
  "ip",
  "port",
  "version",
  "nonce",
  "uuid",
  "hotkey",
  "signature",
] as const;
const TERMINAL_INTS = new Set(["status_code", "port", "version"]);

export const sha3 = (text: string) => createHash("sha3-256").update(text, "utf8").digest("hex");

/** The Python kind of a zod field (for str() of hash fields and the empty value of required fields). */
export function pyKindOf(schema: z.ZodType): PyKind {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault)
      s = s.unwrap() as z.ZodType;
    else break;
  }
  if (s instanceof z.ZodString || s instanceof z.ZodEnum || s instanceof z.ZodLiteral) return "str";
  if (s instanceof z.ZodNumber) return s.format === "safeint" || s.format?.includes("int") ? "int" : "float";
  if (s instanceof z.ZodBoolean) return "bool";
  if (s instanceof z.ZodArray || s instanceof z.ZodTuple) return "list";
  if (s instanceof z.ZodObject || s instanceof z.ZodRecord) return "dict";
  return "any";
}

/** computed_body_hash: SHA3-256 of the concatenated hex SHA3-256 of str() of each hash field. */
export function bodyHash(def: AnySynapse, fields: Record<string, unknown>): string {
  const parts = def.hashFields.map((f) => sha3(pyStr(fields[f], pyKindOf(def.request.shape[f] as z.ZodType))));
  return sha3(parts.join(""));
}

/** bt_header_input_obj_<field>: base64 of json.dumps of an empty value of the field's type. */
function emptyJson(kind: PyKind): string {
  return { str: '""', int: "0", float: "0.0", bool: "false", list: "[]", dict: "{}", any: "null" }[kind];
}

/** The message a dendrite signs: "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}". */
export function requestMessage(d: { nonce: bigint; hotkey: string; uuid: string }, axonHotkey: string, hash: string) {
  return `${d.nonce}.${d.hotkey}.${axonHotkey}.${d.uuid}.${hash}`;
}

/** The message an axon signs in its answer: "{axon_nonce}.{dendrite_hotkey}.{axon_hotkey}.{axon_uuid}". */
export function responseMessage(a: { nonce: bigint; uuid: string; hotkey: string }, dendriteHotkey: string) {
  return `${a.nonce}.${dendriteHotkey}.${a.hotkey}.${a.uuid}`;
}

function terminalHeaders(prefix: string, t: TerminalInfo | undefined, into: Record<string, string>) {
  if (!t) return;
  for (const k of TERMINAL_FIELDS) {
    const v = t[k];
    if (v !== null && v !== undefined) into[`bt_header_${prefix}_${k}`] = k === "process_time" ? String(v) : String(v);
  }
}

/** Synapse.to_headers(): name, timeout, terminal infos, input_obj headers, sizes and the body hash. */
export function toHeaders(
  def: AnySynapse,
  s: {
    timeout: number;
    dendrite?: TerminalInfo;
    axon?: TerminalInfo;
    fields: Record<string, unknown>;
    bodyHash: string;
  },
  bodyBytes = 0,
): Record<string, string> {
  const headers: Record<string, string> = { name: def.name, timeout: pyFloatish(s.timeout) };
  terminalHeaders("axon", s.axon, headers);
  terminalHeaders("dendrite", s.dendrite, headers);
  for (const f of def.required) {
    if (s.fields[f] === null || s.fields[f] === undefined) continue;
    const json = emptyJson(pyKindOf(def.request.shape[f] as z.ZodType));
    headers[`bt_header_input_obj_${f}`] = Buffer.from(json).toString("base64");
  }
  // Python reports sys.getsizeof of objects; a byte count of what is sent is what these are used for.
  headers.header_size = String(Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0));
  headers.total_size = String(bodyBytes);
  headers.computed_body_hash = s.bodyHash;
  return headers;
}

/** Python prints a float timeout as 12.0, never 12. */
function pyFloatish(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** The JSON body of a call: Synapse.model_dump() with the synapse's own fields. */
export function toBody(
  def: AnySynapse,
  s: {
    timeout: number;
    dendrite?: TerminalInfo;
    axon?: TerminalInfo;
    fields: Record<string, unknown>;
    bodyHash: string;
  },
): string {
  const terminal = (t: TerminalInfo | undefined) =>
    Object.fromEntries(TERMINAL_FIELDS.map((k) => [k, t?.[k] === undefined ? null : t[k]]));
  const json = JSON.stringify(
    {
      ...s.fields,
      name: def.name,
      timeout: s.timeout,
      total_size: 0,
      header_size: 0,
      dendrite: terminal(s.dendrite),
      axon: terminal(s.axon),
      computed_body_hash: s.bodyHash,
    },
    (_k, v) => (typeof v === "bigint" ? `${BIGINT_MARK}${v}` : v),
  );
  // Nonces are integers of 19 digits: written as JSON numbers, exactly (no rounding through a double).
  return json.replace(BIGINT_PATTERN, "$1");
}

const BIGINT_MARK = `bigint~${randomBytes(6).toString("hex")}~`;
const BIGINT_PATTERN = new RegExp(`"${BIGINT_MARK}(\\d+)"`, "g");

/** Reads the terminal infos and the other bittensor headers of a request or an answer. */
export function parseTerminalHeaders(get: (name: string) => string | undefined) {
  const read = (prefix: string): TerminalInfo => {
    const t: TerminalInfo = {};
    for (const k of TERMINAL_FIELDS) {
      const raw = get(`bt_header_${prefix}_${k}`);
      if (raw === undefined) continue;
      if (raw.length > 512) throw new Error(`bt_header_${prefix}_${k} is too long`);
      if (k === "nonce") {
        if (!/^\d{1,30}$/.test(raw)) throw new Error(`bt_header_${prefix}_nonce is not a whole number`);
        t.nonce = BigInt(raw);
      } else if (TERMINAL_INTS.has(k)) {
        if (!/^-?\d{1,10}$/.test(raw)) throw new Error(`bt_header_${prefix}_${k} is not a whole number`);
        (t as Record<string, unknown>)[k] = Number(raw);
      } else if (k === "process_time") {
        const n = Number(raw);
        t.process_time = Number.isFinite(n) ? n : null;
      } else (t as Record<string, unknown>)[k] = raw;
    }
    return t;
  };
  const timeoutRaw = get("timeout");
  const timeout = timeoutRaw === undefined ? null : Number(timeoutRaw);
  return {
    name: get("name") ?? null,
    timeout: timeout !== null && Number.isFinite(timeout) && timeout > 0 ? timeout : null,
    dendrite: read("dendrite"),
    axon: read("axon"),
    bodyHash: get("computed_body_hash") ?? null,
  };
}
