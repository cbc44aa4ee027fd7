/**
 * Process-wide singletons. The custom server and Next's bundled route handlers load separate copies of
 * the server modules in one process; keeping live state on globalThis under a registered symbol makes
 * both copies share one database client, one chain connection and one in-memory head.
 */
export function processSingleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`subnet-console.${name}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  let value = store[key];
  if (value === undefined) {
    value = create();
    store[key] = value;
  }
  return value;
}

export function setProcessSingleton<T>(name: string, value: T | undefined): void {
  (globalThis as unknown as Record<symbol, T | undefined>)[Symbol.for(`subnet-console.${name}`)] = value;
}
