// Incremental request decoder. Owns one growable read buffer: the connection reads straight
// into `space()`, calls `commit(n)`, then pulls complete commands with `next()` until it
// returns null ("need more bytes"). Multibulk (`*N\r\n$len\r\n...`) and inline commands are
// accepted with Redis 7.0's limits and exact protocol error texts (networking.c
// processMultibulkBuffer / processInlineBuffer). Any split point is fine: state survives
// between reads.

import { ProtocolError } from "../errors.ts";
import { splitArgs } from "../util/split_args.ts";
import { bufferView, type Latin1Buffer } from "../util/bytes.ts";

/** Longest inline request or header line Redis accepts (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX = 64 * 1024;
const INITIAL = 16 * 1024;
const MIN_SPACE = 4 * 1024;
const MAX_READ = 256 * 1024;
const CR = 13;
const LF = 10;

const fcc = String.fromCharCode;

// Bytes to a string without a native call: for up to 8 bytes this is several times faster
// than Buffer#latin1Slice, which goes through an op.
function smallStr(u: Uint8Array, s: number, n: number): string {
  switch (n) {
    case 0:
      return "";
    case 1:
      return fcc(u[s]);
    case 2:
      return fcc(u[s], u[s + 1]);
    case 3:
      return fcc(u[s], u[s + 1], u[s + 2]);
    case 4:
      return fcc(u[s], u[s + 1], u[s + 2], u[s + 3]);
    case 5:
      return fcc(u[s], u[s + 1], u[s + 2], u[s + 3], u[s + 4]);
    case 6:
      return fcc(u[s], u[s + 1], u[s + 2], u[s + 3], u[s + 4], u[s + 5]);
    case 7:
      return fcc(u[s], u[s + 1], u[s + 2], u[s + 3], u[s + 4], u[s + 5], u[s + 6]);
    default:
      return fcc(u[s], u[s + 1], u[s + 2], u[s + 3], u[s + 4], u[s + 5], u[s + 6], u[s + 7]);
  }
}

/** Limits and modes for one connection's decoder. */
export interface DecoderOptions {
  /** proto-max-bulk-len; ignored for the master link. */
  maxBulkLen: number;
  /** client-query-buffer-limit: exceeding it closes the connection. */
  queryBufferLimit: number;
}

/** Thrown when the buffered query exceeds client-query-buffer-limit (closed without reply). */
export class QueryBufferLimitError extends Error {
  constructor() {
    super("Query buffer limit exceeded");
    this.name = "QueryBufferLimitError";
  }
}

/** Incremental RESP request decoder over one reusable buffer. */
export class RequestDecoder {
  #buf = new Uint8Array(INITIAL);
  #nb: Latin1Buffer = bufferView(this.#buf);
  #start = 0;
  #end = 0;
  #argv: string[] | null = null;
  #remaining = 0;
  #opts: DecoderOptions;
  /** When true, bulk length limits are not enforced (master link); see Redis CLIENT_MASTER. */
  trusted = false;
  /** When false, multibulk counts above 10 and bulks above 16384 are rejected (unauthenticated). */
  authenticated = true;

  constructor(opts: DecoderOptions) {
    this.#opts = opts;
  }

  /** Bytes buffered but not yet consumed as complete commands. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Offset of the first unconsumed byte relative to everything committed so far. */
  get consumedTotal(): number {
    return this.#consumed + this.#start;
  }
  #consumed = 0;

  /**
   * Room to read into, compacting or growing the buffer when little is left.
   * @returns a view of the free tail of the buffer
   */
  space(): Uint8Array {
    let sp: Uint8Array;
    if (this.#start === this.#end) {
      this.#consumed += this.#start;
      this.#start = this.#end = 0;
      // A read that filled the whole buffer means the client sends more per round trip than
      // fits: grow (up to MAX_READ) so one read takes a whole pipeline batch, which also
      // makes one write of its replies. Shrink back after a run of small reads.
      if (this.#fullReads > 0 && this.#buf.length < MAX_READ) {
        this.#reallocate(this.#buf.length * 2);
        this.#fullReads = 0;
      } else if (this.#smallReads > 256 && this.#buf.length > INITIAL) {
        this.#reallocate(INITIAL);
        this.#smallReads = 0;
      }
      sp = this.#buf;
    } else {
      if (this.#buf.length - this.#end < MIN_SPACE) this.#ensure(MIN_SPACE);
      sp = this.#buf.subarray(this.#end);
    }
    this.#lastSpace = sp.length;
    return sp;
  }
  #lastSpace = 0;
  #fullReads = 0;
  #smallReads = 0;

  /** Declares that `n` bytes were read into the last `space()`. */
  commit(n: number): void {
    this.#end += n;
    if (n === this.#lastSpace) this.#fullReads++;
    else if (n < this.#buf.length >> 2) this.#smallReads++;
    else this.#smallReads = 0;
    if (this.#end - this.#start > this.#opts.queryBufferLimit) throw new QueryBufferLimitError();
  }

  /** Appends bytes (tests and tools; the server reads into `space()` directly). */
  push(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      const sp = this.space();
      const n = Math.min(sp.length, bytes.length - off);
      sp.set(bytes.subarray(off, off + n));
      this.commit(n);
      off += n;
    }
  }

  /**
   * The next complete command.
   * @returns its arguments as byte strings, or null when more bytes are needed
   * @throws ProtocolError on malformed input (reply it, then close the connection)
   */
  next(): string[] | null {
    for (;;) {
      if (this.#argv !== null) return this.#bulks();
      if (this.#start >= this.#end) return null;
      if (this.#buf[this.#start] === 42 /* '*' */) {
        const r = this.#header();
        if (r === null) return null;
        if (this.#argv === null) continue; // `*0` / `*-1`: nothing to run
      } else {
        const r = this.#inline();
        if (r === null) return null;
        if (r.length > 0) return r;
      }
    }
  }

  // Parses `*N\r\n`; sets #argv/#remaining, or leaves #argv null for an empty command.
  #header(): true | null {
    const nl = this.#findCR(this.#start + 1);
    if (nl < 0) {
      if (this.#end - this.#start > INLINE_MAX) {
        throw new ProtocolError("too big mbulk count string");
      }
      return null;
    }
    const n = this.#parseInt(this.#start + 1, nl);
    if (n === null || n > 2147483647) throw new ProtocolError("invalid multibulk length");
    if (n > 10 && !this.authenticated) throw new ProtocolError("unauthenticated multibulk length");
    this.#start = nl + 2;
    if (n > 0) {
      this.#argv = [];
      this.#remaining = n;
    }
    return true;
  }

  #bulks(): string[] | null {
    const argv = this.#argv!;
    while (this.#remaining > 0) {
      const s = this.#start;
      if (s >= this.#end) return null;
      const nl = this.#findCR(s + 1);
      if (nl < 0) {
        if (this.#end - s > INLINE_MAX) throw new ProtocolError("too big bulk count string");
        return null;
      }
      if (this.#buf[s] !== 36 /* '$' */) {
        throw new ProtocolError(`expected '$', got '${String.fromCharCode(this.#buf[s])}'`);
      }
      const len = this.#parseInt(s + 1, nl);
      if (len === null || len < 0 || (!this.trusted && len > this.#opts.maxBulkLen)) {
        throw new ProtocolError("invalid bulk length");
      }
      if (len > 16384 && !this.authenticated) {
        throw new ProtocolError("unauthenticated bulk length");
      }
      const dataStart = nl + 2;
      // Redis skips the two bytes after the payload without checking them.
      if (this.#end - dataStart < len + 2) {
        this.#ensureFrom(s, nl + 2 - s + len + 2);
        return null;
      }
      const buf = this.#buf;
      argv.push(
        argv.length === 0
          ? this.#name(dataStart, len)
          : len <= 8
          ? smallStr(buf, dataStart, len)
          : this.#nb.latin1Slice(dataStart, dataStart + len),
      );
      this.#start = dataStart + len + 2;
      this.#remaining--;
    }
    this.#argv = null;
    return argv;
  }

  #inline(): string[] | null {
    let nl = -1;
    const buf = this.#buf;
    for (let i = this.#start; i < this.#end; i++) {
      if (buf[i] === LF) {
        nl = i;
        break;
      }
      // Redis finds the newline with strchr, which stops at a NUL byte: a NUL before the
      // newline leaves the line incomplete until it grows past the inline limit.
      if (buf[i] === 0) break;
    }
    if (nl < 0) {
      if (this.#end - this.#start > INLINE_MAX) throw new ProtocolError("too big inline request");
      return null;
    }
    let lineEnd = nl;
    if (lineEnd > this.#start && buf[lineEnd - 1] === CR) lineEnd--;
    const line = this.#nb.latin1Slice(this.#start, lineEnd);
    this.#start = nl + 1;
    const args = splitArgs(line);
    if (args === null) throw new ProtocolError("unbalanced quotes in request");
    return args;
  }

  // Command names repeat on every request: reuse one string per (length, first byte) slot so
  // its hash stays cached for the command-table lookup.
  #names: string[] = new Array(32 * 32);
  #name(start: number, len: number): string {
    if (len > 31) return this.#nb.latin1Slice(start, start + len);
    const buf = this.#buf;
    const slot = (len << 5) | (buf[start] & 31);
    const cached = this.#names[slot];
    if (cached !== undefined) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (cached.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const str = len <= 8 ? smallStr(buf, start, len) : this.#nb.latin1Slice(start, start + len);
    this.#names[slot] = str;
    return str;
  }

  // Index of the next CR at or after `from`, once the byte after it is buffered too. Like
  // Redis, the byte after the CR is skipped without being checked.
  #findCR(from: number): number {
    const buf = this.#buf;
    const end = this.#end - 1;
    for (let i = from; i < end; i++) {
      if (buf[i] === CR) return i;
    }
    return -1;
  }

  // Redis string2ll over buf[from, to): optional '-', no '+', no leading zeros.
  #parseInt(from: number, to: number): number | null {
    const buf = this.#buf;
    if (from >= to) return null;
    let neg = false;
    let i = from;
    if (buf[i] === 45) {
      neg = true;
      i++;
      if (i >= to) return null;
    }
    if (buf[i] === 48) return i + 1 === to && !neg ? 0 : null;
    let v = 0;
    for (; i < to; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) return null;
      v = v * 10 + d;
      if (v > 9007199254740991) return null;
    }
    return neg ? -v : v;
  }

  // Ensures `need` bytes fit starting at the current #start (compacting first).
  #ensureFrom(from: number, need: number): void {
    if (from + need <= this.#buf.length) return;
    this.#ensure(need - (this.#end - from));
  }

  #ensure(extra: number): void {
    const used = this.#end - this.#start;
    const want = used + extra;
    if (want <= this.#buf.length && this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else if (want > this.#buf.length) {
      let size = this.#buf.length * 2;
      while (size < want) size *= 2;
      this.#reallocate(size);
      return;
    } else {
      return;
    }
    this.#consumed += this.#start;
    this.#end = used;
    this.#start = 0;
  }

  #reallocate(size: number): void {
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(this.#start, this.#end));
    this.#consumed += this.#start;
    this.#end -= this.#start;
    this.#start = 0;
    this.#buf = next;
    this.#nb = bufferView(next);
  }
}
