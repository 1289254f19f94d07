// The hash value (t_hash.c's data side): field → value in a JS Map, whose insertion order is the
// order Redis's listpack keeps while the hash is small. The encoding Redis would report is a
// flag: listpack until a field or value longer than hash-max-listpack-value is written or the
// hash grows beyond hash-max-listpack-entries, then hashtable for good (Redis never converts back).

import {
  DICT,
  DICT_ENTRY,
  dictSize,
  jemallocSize,
  ROBJ,
  sdsAlloc,
  shrunk,
} from "../../util/memory.ts";
export { DICT, DICT_ENTRY, dictSize, jemallocSize, ROBJ, sdsAlloc, shrunk };
import type { ObjectValue } from "../database.ts";
import { parseI64 } from "../../util/numbers.ts";

/** A Redis hash. Read `map` directly; change it only through `set` and `delete`. */
export class HashValue implements ObjectValue {
  readonly type = "hash" as const;
  /** Field → value. Listpack order (insertion order) while listpack-encoded. */
  readonly map: Map<string, string>;
  #listpack: boolean;
  /** Buckets of the dict Redis would hold once hashtable-encoded (MEMORY USAGE). */
  #slots: number;
  /** Fields in an array for random access (HRANDFIELD); null until needed, dropped by HDEL. */
  #fields: string[] | null = null;

  constructor(map: Map<string, string> = new Map(), listpack = true, slots = 0) {
    this.map = map;
    this.#listpack = listpack;
    this.#slots = slots;
  }

  /** Number of fields. */
  get size(): number {
    return this.map.size;
  }

  /** True while Redis would keep this hash as a listpack. */
  get isListpack(): boolean {
    return this.#listpack;
  }

  encoding(): string {
    return this.#listpack ? "listpack" : "hashtable";
  }

  isEmpty(): boolean {
    return this.map.size === 0;
  }

  /** The value of `field`, or undefined. */
  get(field: string): string | undefined {
    return this.map.get(field);
  }

  /**
   * Sets `field` to `value` as hashTypeSet does: a field or value longer than `maxValue`
   * converts a listpack first, more than `maxEntries` fields converts it after.
   * @returns true when the field is new
   */
  set(field: string, value: string, maxEntries: number, maxValue: number): boolean {
    const map = this.map;
    if (this.#listpack) {
      if (field.length > maxValue || value.length > maxValue) this.#convert(map.size);
    }
    const n = map.size;
    map.set(field, value);
    const added = map.size !== n;
    if (this.#listpack) {
      // Checked after an update too, so a lowered limit applies on the next write.
      if (map.size > maxEntries) this.#convert(map.size);
    } else if (added && n >= this.#slots) {
      this.#slots = dictSize(n + 1);
    }
    if (added && this.#fields !== null) this.#fields.push(field);
    return added;
  }

  /**
   * Removes `field`; a hashtable shrinks its modelled dict as Redis's htNeedsResize does.
   * @returns true when it existed
   */
  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    this.#fields = null;
    if (!this.#listpack) this.#slots = shrunk(this.#slots, this.map.size);
    return true;
  }

  /** A random field (the hash must not be empty). */
  randomField(): string {
    const fields = this.fields();
    return fields[Math.floor(Math.random() * fields.length)];
  }

  /**
   * The fields as an array, kept for further random picks until a field is deleted. Callers
   * must not modify it.
   */
  fields(): string[] {
    let fields = this.#fields;
    if (fields === null) this.#fields = fields = [...this.map.keys()];
    return fields;
  }

  clone(): HashValue {
    return new HashValue(new Map(this.map), this.#listpack, this.#slots);
  }

  /**
   * Bytes Redis would use (objectComputeSize): the robj plus either the listpack, or the dict
   * with its buckets and, averaged over `samples` entries, the field and value sds and entry.
   */
  memoryUsage(samples: number): number {
    if (this.#listpack) {
      let bytes = LP_HEADER + 1;
      for (const [f, v] of this.map) bytes += lpEntrySize(f) + lpEntrySize(v);
      return ROBJ + jemallocSize(bytes);
    }
    let size = ROBJ + DICT + 8 * this.#slots;
    let sum = 0;
    let n = 0;
    for (const [f, v] of this.map) {
      if (n >= samples) break;
      sum += sdsAlloc(f.length) + sdsAlloc(v.length) + DICT_ENTRY;
      n++;
    }
    if (n > 0) size += (sum / n) * this.map.size;
    return Math.round(size);
  }

  // hashTypeConvertListpack: the dict is created with room for the current fields.
  #convert(n: number): void {
    this.#listpack = false;
    this.#slots = dictSize(n);
  }
}

/** Listpack header: total bytes (4) and element count (2). */
const LP_HEADER = 6;

/** Bytes one element takes in a listpack: encoding + data + backlen (listpack.c). */
function lpEntrySize(s: string): number {
  let len: number;
  const v = s.length <= 20 ? parseI64(s) : null;
  if (v !== null) {
    if (v >= 0 && v <= 127) len = 1;
    else if (v >= -4096 && v <= 4095) len = 2;
    else if (v >= -32768 && v <= 32767) len = 3;
    else if (v >= -8388608 && v <= 8388607) len = 4;
    else if (v >= -2147483648 && v <= 2147483647) len = 5;
    else len = 9;
  } else {
    const n = s.length;
    len = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  }
  const back = len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
  return len + back;
}
