/**
 * `promise`, or a rejection with `timedOut()` if it has not settled within `ms`. The promise
 * itself runs on (nothing here can stop it); the timer does not keep the process alive.
 */
export async function within<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
