// ByteRope: a large byte string as 1 KiB leaf strings under a balanced tree of concatenations
// whose root is an ordinary JS string (a V8 cons string, flattened lazily if read whole). Writing
// a byte replaces one leaf and the O(log n) nodes above it instead of copying the string: SETBIT
// on a 1 MB bitmap costs about a microsecond instead of hundreds.

const CHUNK_SHIFT = 10;
const CHUNK = 1 << CHUNK_SHIFT;
const ZERO_CHUNK = "\0".repeat(CHUNK);

/** A byte string (one char per byte) that supports cheap in-place byte writes. */
export class ByteRope {
  // #levels[0] holds the leaves (all CHUNK bytes long but the last); each further level holds
  // the concatenations of pairs of the level below; the last level is [root].
  #levels: string[][];
  #length: number;

  private constructor(leaves: string[], length: number) {
    this.#levels = [leaves];
    this.#length = length;
    this.#rebuildFrom(0);
  }

  /**
   * A rope holding the bytes of `s`.
   * @param s a byte string
   * @returns the rope
   */
  static from(s: string): ByteRope {
    const n = s.length;
    const leaves: string[] = [];
    for (let i = 0; i < n; i += CHUNK) leaves.push(s.slice(i, i + CHUNK));
    return new ByteRope(leaves, n);
  }

  /** The current contents as one string (the root of the tree). */
  get value(): string {
    const top = this.#levels[this.#levels.length - 1];
    return top.length === 0 ? "" : top[0];
  }

  /** Length in bytes. */
  get length(): number {
    return this.#length;
  }

  /**
   * The byte at `i`, or 0 past the end.
   * @param i a byte index
   * @returns the byte value
   */
  byteAt(i: number): number {
    if (i >= this.#length) return 0;
    return this.#levels[0][i >> CHUNK_SHIFT].charCodeAt(i & (CHUNK - 1));
  }

  /**
   * The bytes `start..end-1` (within the string) as a string, built from the leaves only.
   * @param start first byte index
   * @param end byte index after the last
   * @returns the bytes
   */
  slice(start: number, end: number): string {
    const leaves = this.#levels[0];
    let out = "";
    for (let li = start >> CHUNK_SHIFT; li <= (end - 1) >> CHUNK_SHIFT; li++) {
      const at = li << CHUNK_SHIFT;
      out += leaves[li].slice(Math.max(0, start - at), Math.min(CHUNK, end - at));
    }
    return out;
  }

  /**
   * Zero-pads the string to `len` bytes (no-op when already that long).
   * @param len the new length
   */
  grow(len: number): void {
    const n = this.#length;
    if (len <= n) return;
    const leaves = this.#levels[0];
    let first = leaves.length;
    if (leaves.length > 0) {
      const lastIdx = leaves.length - 1;
      const last = leaves[lastIdx];
      if (last.length < CHUNK) {
        const add = Math.min(CHUNK - last.length, len - n);
        leaves[lastIdx] = last + ZERO_CHUNK.slice(0, add);
        first = lastIdx;
      }
    }
    for (let at = leaves.length * CHUNK; at < len; at += CHUNK) {
      leaves.push(len - at >= CHUNK ? ZERO_CHUNK : ZERO_CHUNK.slice(0, len - at));
    }
    this.#length = len;
    this.#rebuildFrom(first);
  }

  /**
   * Sets the byte at `i` (< length).
   * @param i a byte index
   * @param b the byte value
   */
  setByte(i: number, b: number): void {
    const li = i >> CHUNK_SHIFT;
    const leaf = this.#levels[0][li];
    const lo = i & (CHUNK - 1);
    this.#levels[0][li] = leaf.slice(0, lo) + String.fromCharCode(b) + leaf.slice(lo + 1);
    this.#updatePath(li);
  }

  // Recomputes the ancestors of leaf `li`.
  #updatePath(li: number): void {
    const levels = this.#levels;
    let idx = li;
    for (let k = 1; k < levels.length; k++) {
      const below = levels[k - 1];
      const p = idx >> 1;
      const l = 2 * p;
      levels[k][p] = l + 1 < below.length ? below[l] + below[l + 1] : below[l];
      idx = p;
    }
  }

  // Recomputes every node at or right of leaf `from`'s ancestors, after leaves were appended;
  // adds levels as the tree deepens.
  #rebuildFrom(from: number): void {
    const levels = this.#levels;
    let start = from;
    for (let k = 1;; k++) {
      const below = levels[k - 1];
      if (below.length <= 1) {
        levels.length = k;
        return;
      }
      if (k === levels.length) levels.push([]);
      const level = levels[k];
      const n = (below.length + 1) >> 1;
      start >>= 1;
      for (let p = start; p < n; p++) {
        const l = 2 * p;
        level[p] = l + 1 < below.length ? below[l] + below[l + 1] : below[l];
      }
      level.length = n;
    }
  }
}
