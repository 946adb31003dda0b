// One read shared by callers that ask at once (the mount table for a hundred pods stopping
// together), never staler than the call: each caller gets a read that started after it asked.
// While a read runs, whoever asks meanwhile shares the next one. Its callers share one value: they
// read it, never change it.
export function coalesced<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined; // the read under way
  let queued: Promise<T> | undefined; // the one after it, for whoever asked meanwhile
  const start = (): Promise<T> => {
    const p = read();
    current = p;
    const clear = () => {
      if (current === p) current = undefined;
    };
    p.then(clear, clear);
    return p;
  };
  return () => {
    if (!current) return start();
    queued ??= current.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}
