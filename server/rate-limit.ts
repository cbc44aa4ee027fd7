/**
 * Counts per key in fixed windows, in memory, with a bound on the keys it keeps (an attacker choosing
 * keys cannot grow it without limit: expired keys go first, then the oldest).
 */
export class WindowCounter {
  private counts = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one for `key`; false when the key is already at its limit in this window (not counted). */
  take(key: string): boolean {
    const t = this.now();
    let entry = this.counts.get(key);
    if (!entry || entry.until <= t) {
      this.makeRoom(t);
      entry = { count: 0, until: t + this.windowMs };
      this.counts.delete(key);
      this.counts.set(key, entry);
    }
    if (entry.count >= this.limit) return false;
    entry.count++;
    return true;
  }

  /** Forgets `key` (e.g. after a successful sign-in). */
  reset(key: string): void {
    this.counts.delete(key);
  }

  get size(): number {
    return this.counts.size;
  }

  private makeRoom(t: number): void {
    if (this.counts.size < this.maxKeys) return;
    for (const [k, v] of this.counts) if (v.until <= t) this.counts.delete(k);
    for (const k of this.counts.keys()) {
      if (this.counts.size < this.maxKeys) break;
      this.counts.delete(k);
    }
  }
}
