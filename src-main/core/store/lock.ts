/** Per-key serialisation within this process: tasks for one key run one at a time, in call order. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    // Tails never reject, so one failed task does not block or fail the next.
    const previous = this.tails.get(key) ?? Promise.resolve()
    const result = previous.then(task)
    const tail = result.catch(() => {})
    this.tails.set(key, tail)
    // Forget idle keys so the map does not grow with every run ever touched.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    return result
  }
}
