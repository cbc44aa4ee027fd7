/**
 * Runs `task` over `items` with at most `concurrency` at once and resolves with the results in the items' order.
 * A task that throws rejects the whole (as Promise.all does); tasks that must not, catch their own errors.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(concurrency, items.length)) }, worker));
  return results;
}
