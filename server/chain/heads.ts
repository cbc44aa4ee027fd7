import type { HeadEvent } from "./types";

/** Listeners of new heads plus a ring of recent (block, time) pairs, for timing charts. */
export class HeadFeed {
  private listeners = new Set<(e: HeadEvent) => void>();
  private ring: HeadEvent[] = [];
  constructor(private capacity = 2048) {}

  publish(e: HeadEvent): void {
    const last = this.ring[this.ring.length - 1];
    if (last && e.block <= last.block) {
      if (e.block < last.block)
        this.ring = this.ring.filter((h) => h.block < e.block); // a reorg or a reset clock
      else return;
    }
    this.ring.push(e);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's fault is its own
      }
    }
  }

  subscribe(listener: (e: HeadEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  recent(): readonly HeadEvent[] {
    return this.ring;
  }
}
