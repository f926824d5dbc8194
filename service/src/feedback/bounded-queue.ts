/** FIFO with a fixed capacity; items leave only when the consumer confirms them (peek, then drop). */
export class BoundedQueue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends unless full; false means the item was not taken. */
  push(item: T): boolean {
    if (this.count >= this.capacity) return false;
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return true;
  }

  /** Up to `n` items from the front, left in the queue. */
  peek(n: number): T[] {
    const out: T[] = [];
    const take = Math.min(n, this.count);
    for (let i = 0; i < take; i++) out.push(this.items[(this.head + i) % this.capacity] as T);
    return out;
  }

  /** Removes `n` items from the front. */
  drop(n: number): void {
    const take = Math.min(n, this.count);
    for (let i = 0; i < take; i++) this.items[(this.head + i) % this.capacity] = undefined;
    this.head = (this.head + take) % this.capacity;
    this.count -= take;
  }

  clear(): void {
    this.items = new Array(this.capacity);
    this.head = 0;
    this.count = 0;
  }
}
