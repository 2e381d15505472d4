interface Running<T> {
  iterator: AsyncIterator<T>;
  next: Promise<{ running: Running<T>; result: IteratorResult<T> }>;
}

/**
 * Run up to `limit` async iterables at once and yield their values as they arrive.
 * Each source advances only after its value was consumed (one page in flight per
 * source at most). When one fails, or the consumer stops, the others are returned.
 */
export async function* mergeConcurrent<T>(sources: AsyncIterable<AsyncIterable<T>>, limit: number): AsyncGenerator<T> {
  const pending = sources[Symbol.asyncIterator]();
  const running = new Set<Running<T>>();
  let exhausted = false;
  const advance = (entry: Running<T>) => {
    entry.next = entry.iterator.next().then((result) => ({ running: entry, result }));
    // Handled where raced; this only keeps a rejection after a stop from going unhandled.
    entry.next.catch(() => undefined);
  };
  const fill = async () => {
    while (!exhausted && running.size < limit) {
      const source = await pending.next();
      if (source.done) {
        exhausted = true;
        return;
      }
      const entry = { iterator: source.value[Symbol.asyncIterator]() } as Running<T>;
      advance(entry);
      running.add(entry);
    }
  };
  try {
    await fill();
    while (running.size > 0) {
      const { running: entry, result } = await Promise.race([...running].map((item) => item.next));
      if (result.done) {
        running.delete(entry);
        await fill();
        continue;
      }
      yield result.value;
      advance(entry);
    }
  } finally {
    await Promise.allSettled([...running].map((entry) => entry.iterator.return?.()));
    await pending.return?.();
  }
}
