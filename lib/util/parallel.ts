// Work on many items with at most `limit` under way at once: enough for their waits to overlap,
// few enough that a thousand items do not open a thousand of everything at once.

/** Run each(item) for every item, at most limit at a time, in order of start; resolves when all are done. */
export async function forEachAtMost<T>(items: readonly T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await each(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
