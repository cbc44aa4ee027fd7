/**
 * Python's str() of JSON-like values, as bittensor hashes a synapse's required_hash_fields: a str is
 * itself; inside containers strings are repr()'d; floats print as Python prints them (1.0, 1e-05).
 */
export type PyKind = "str" | "int" | "float" | "bool" | "list" | "dict" | "any";

export function pyStr(value: unknown, kind: PyKind = "any"): string {
  if (typeof value === "string" && kind !== "list" && kind !== "dict") return value;
  return pyRepr(value, kind);
}

function pyRepr(value: unknown, kind: PyKind = "any"): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return kind === "float" || !Number.isInteger(value) ? pyFloat(value) : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return reprString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v)).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  throw new TypeError(`no Python form for ${typeof value}`);
}

/** repr(float): shortest round-trip digits, exponent form below 1e-4 and from 1e16, always a '.0' or exponent. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(v);
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa, exp] = v.toExponential().split("e");
    const e = Number(exp);
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const s = String(v);
  if (s.includes("e")) {
    // JS switches to exponent form from 1e21 only; between 1e16 and 1e21 Python already has (handled above).
    return s;
  }
  return s.includes(".") ? s : `${s}.0`;
}

/** repr(str): single quotes unless the text has ' and no ", Python's escapes for the rest. */
export function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (isNonPrintable(cp))
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's str.isprintable() false for separators and other invisible code points (the common ones). */
function isNonPrintable(cp: number): boolean {
  return (
    cp === 0xad ||
    (cp >= 0x2000 && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202f) ||
    (cp >= 0x205f && cp <= 0x206f) ||
    cp === 0x3000 ||
    cp === 0xfeff ||
    (cp >= 0xd800 && cp <= 0xdfff) ||
    (cp >= 0xfff9 && cp <= 0xfffb)
  );
}

/**
 * Python's `json.dumps(value)` with its defaults: ", " and ": " separators, non-ASCII and control characters
 * escaped as a backslash, u and four hex digits per UTF-16 code unit, as Python writes them. SN22 miners and validators frame their stream
 * objects this way, so relayed objects keep their bytes.
 */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return Number.isInteger(value) ? String(value) : pyFloat(value);
  }
  if (typeof value === "string") return pyJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${pyJsonString(k)}: ${pyJsonDumps(v)}`)
      .join(", ")}}`;
  throw new TypeError(`no JSON form for ${typeof value}`);
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (JSON_ESCAPES[c]) out += JSON_ESCAPES[c];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return `${out}"`;
}
