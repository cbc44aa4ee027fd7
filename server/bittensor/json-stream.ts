/**
 * Whole JSON objects out of a byte stream that concatenates them (SN22 miners write one object per write,
 * no separator, and chunks may split an object anywhere). Scans depth, strings and escapes; whitespace
 * between objects is skipped; anything else between objects is an error, as are an object over `maxObjectBytes`
 * and nesting deeper than `maxDepth`.
 */
export class JsonObjectScanner {
  private text = "";
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private pos = 0;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly maxObjectBytes = 4 * 1024 * 1024,
    /** Deeper nesting is refused before parsing (parsing and relaying recurse per level). */
    private readonly maxDepth = 64,
  ) {}

  /** Feeds a chunk; returns the objects it completed, in order. */
  push(chunk: Uint8Array | string): unknown[] {
    this.text += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: unknown[] = [];
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (this.depth === 0) {
        if (c === "{") {
          this.start = this.pos;
          this.depth = 1;
        } else if (!/\s/.test(c)) throw new SyntaxError(`unexpected ${JSON.stringify(c)} between JSON objects`);
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === "\\") this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === "{" || c === "[") {
        if (++this.depth > this.maxDepth) throw new RangeError(`a JSON object nested deeper than ${this.maxDepth}`);
      } else if (c === "}" || c === "]") {
        this.depth--;
        if (this.depth === 0) {
          out.push(JSON.parse(this.text.slice(this.start, this.pos + 1)));
          this.text = this.text.slice(this.pos + 1);
          this.pos = -1;
          this.start = -1;
        }
      }
    }
    if (this.depth > 0 && this.text.length - this.start > this.maxObjectBytes)
      throw new RangeError(`a JSON object larger than ${this.maxObjectBytes} bytes`);
    if (this.depth === 0) {
      this.text = "";
      this.pos = 0;
    }
    return out;
  }

  /** True when the stream ended between objects (not inside one). */
  get complete(): boolean {
    return this.depth === 0;
  }
}
