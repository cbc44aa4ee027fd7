export interface LoadedCache<T> {
  /** The cached value; loaded once for all concurrent callers when missing or older than the TTL. */
  get(): Promise<T>;
  /** Forget the value (this process changed it); the next get() loads it again. */
  invalidate(): void;
}

/**
 * A value read on hot paths (every download and submission) and changed rarely: kept in memory, reloaded
 * when this process invalidates it and at most `ttlMs` after another instance changed it. One load serves
 * every caller waiting at that moment, so a burst of requests on a cold cache costs one query, not one each.
 */
export function loadedCache<T>(ttlMs: number, load: () => Promise<T>): LoadedCache<T> {
  const s = { value: undefined as T | undefined, loadedAt: 0, loading: null as Promise<T> | null, generation: 0 };
  return {
    get() {
      if (s.value !== undefined && Date.now() - s.loadedAt < ttlMs) return Promise.resolve(s.value);
      if (!s.loading) {
        const generation = s.generation;
        s.loading = load()
          .then((v) => {
            // A value loaded before an invalidation may already be stale: serve it to its waiters only.
            if (generation === s.generation) {
              s.value = v;
              s.loadedAt = Date.now();
            }
            return v;
          })
          .finally(() => {
            if (generation === s.generation) s.loading = null;
          });
      }
      return s.loading;
    },
    invalidate() {
      s.generation++;
      s.value = undefined;
      s.loading = null;
    },
  };
}
