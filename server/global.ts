/**
 * A value built on first use and kept for the life of the process. The custom server evaluates the
 * server modules once, so a module-level value is the process's only one; `set` swaps it (tests) and
 * `set(undefined)` forgets it so the next use builds it again.
 */
export interface Lazy<T> {
  (): T;
  set(value: T | undefined): void;
  /** The value if it was built, without building it. */
  peek(): T | undefined;
}

export function lazy<T>(create: () => T): Lazy<T> {
  let value: T | undefined;
  const get = () => (value ??= create());
  return Object.assign(get, {
    set: (v: T | undefined) => void (value = v),
    peek: () => value,
  });
}
