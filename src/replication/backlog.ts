// The replication backlog (Redis's repl_backlog): a circular buffer holding the last
// `repl-backlog-size` bytes of the replication stream, so that a replica that lost its link
// can continue from its offset (+CONTINUE) instead of a full resync. Offsets are absolute
// stream offsets: the byte at offset N is the N-th byte ever written (the first is 1).

import { writeStr } from "../util/bytes.ts";

/** A circular byte buffer of the most recent replication stream bytes. */
export class ReplBacklog {
  #buf: Uint8Array;
  /** Next write position in `#buf`. */
  #idx = 0;
  /** Bytes of history held (at most the buffer size). */
  histlen = 0;
  /** Stream offset of the last byte written (master_repl_offset). */
  endOffset: number;

  /**
   * @param size capacity in bytes (repl-backlog-size)
   * @param offset the stream offset before the first byte this backlog will hold
   */
  constructor(size: number, offset: number) {
    this.#buf = new Uint8Array(Math.max(16 * 1024, size));
    this.endOffset = offset;
  }

  /** Capacity in bytes. */
  get size(): number {
    return this.#buf.length;
  }

  /** repl_backlog_first_byte_offset: the offset of the oldest byte held. */
  get firstByteOffset(): number {
    return this.endOffset - this.histlen + 1;
  }

  /** Appends a byte string (one char per byte). */
  appendStr(s: string): void {
    const n = s.length;
    const buf = this.#buf;
    if (n >= buf.length) {
      writeStr(buf, 0, s.slice(n - buf.length));
      this.#idx = 0;
    } else if (this.#idx + n <= buf.length) {
      this.#idx = writeStr(buf, this.#idx, s);
      if (this.#idx === buf.length) this.#idx = 0;
    } else {
      const first = buf.length - this.#idx;
      writeStr(buf, this.#idx, s.slice(0, first));
      this.#idx = writeStr(buf, 0, s.slice(first));
    }
    this.#grew(n);
  }

  /** Appends bytes. */
  append(bytes: Uint8Array): void {
    const n = bytes.length;
    const buf = this.#buf;
    if (n >= buf.length) {
      buf.set(bytes.subarray(n - buf.length));
      this.#idx = 0;
    } else if (this.#idx + n <= buf.length) {
      buf.set(bytes, this.#idx);
      this.#idx += n;
      if (this.#idx === buf.length) this.#idx = 0;
    } else {
      const first = buf.length - this.#idx;
      buf.set(bytes.subarray(0, first), this.#idx);
      buf.set(bytes.subarray(first), 0);
      this.#idx = n - first;
    }
    this.#grew(n);
  }

  #grew(n: number): void {
    this.endOffset += n;
    this.histlen = Math.min(this.#buf.length, this.histlen + n);
  }

  /**
   * True when a replica whose next byte is `offset` can continue from here (Redis's
   * addReplyReplicationBacklog precondition in masterTryPartialResynchronization).
   */
  covers(offset: number): boolean {
    return this.histlen > 0
      ? offset >= this.firstByteOffset && offset <= this.endOffset + 1
      : offset === this.endOffset + 1;
  }

  /**
   * The bytes from stream offset `offset` to the end.
   * @param offset the first offset wanted; must satisfy `covers`
   * @returns a fresh copy
   */
  from(offset: number): Uint8Array {
    const n = this.endOffset + 1 - offset;
    const out = new Uint8Array(n);
    if (n === 0) return out;
    const buf = this.#buf;
    let start = this.#idx - n;
    if (start < 0) start += buf.length;
    if (start + n <= buf.length) out.set(buf.subarray(start, start + n));
    else {
      const first = buf.length - start;
      out.set(buf.subarray(start), 0);
      out.set(buf.subarray(0, n - first), first);
    }
    return out;
  }

  /** Changes the capacity (CONFIG SET repl-backlog-size), keeping the newest bytes. */
  resize(size: number): void {
    size = Math.max(16 * 1024, size);
    if (size === this.#buf.length) return;
    const keep = Math.min(this.histlen, size);
    const tail = this.from(this.endOffset + 1 - keep);
    this.#buf = new Uint8Array(size);
    this.#buf.set(tail, 0);
    this.#idx = keep === size ? 0 : keep;
    this.histlen = keep;
  }
}
