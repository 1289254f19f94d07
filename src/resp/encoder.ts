// Reply encoder: appends RESP2 or RESP3 bytes for a `Reply` into one growable output buffer.
// The connection writes `bytes()` once per batch and then `reset()`s, so a pipeline of
// thousands of commands costs one write.

import { ReplyError } from "../errors.ts";
import { formatDouble } from "../util/numbers.ts";
import { writeStr } from "../util/bytes.ts";
import {
  BigNumber,
  Multi,
  NO_REPLY,
  NULL_ARRAY,
  Push,
  type Reply,
  RespBool,
  RespDouble,
  RespMap,
  RespSet,
  SimpleString,
  Verbatim,
} from "./types.ts";

const CRLF_LEN = 2;

/** A growable byte buffer that RESP replies are appended to. */
export class ReplyWriter {
  #buf: Uint8Array;
  #len = 0;
  /** 2 or 3, set by HELLO. */
  resp: 2 | 3 = 2;

  constructor(initial = 16 * 1024) {
    this.#buf = new Uint8Array(initial);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /** A view of the pending bytes (valid until the next write or reset). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /** Forgets the pending bytes; shrinks a buffer that grew large for one big reply. */
  reset(): void {
    this.#len = 0;
    if (this.#buf.length > 1024 * 1024) this.#buf = new Uint8Array(16 * 1024);
  }

  /** Drops the first `n` pending bytes (after a partial write). */
  consume(n: number): void {
    if (n >= this.#len) {
      this.#len = 0;
      return;
    }
    this.#buf.copyWithin(0, n, this.#len);
    this.#len -= n;
  }

  /** Appends raw bytes. */
  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** Appends a byte string as-is (already RESP-encoded). */
  rawStr(s: string): void {
    this.#ensure(s.length);
    this.#len = writeStr(this.#buf, this.#len, s);
  }

  /** Appends one reply in this writer's protocol. */
  write(r: Reply): void {
    if (typeof r === "string") return this.bulk(r);
    if (typeof r === "number") return this.#line(58, /* : */ String(r));
    if (r === null) return this.resp === 3 ? this.rawStr("_\r\n") : this.rawStr("$-1\r\n");
    if (r instanceof SimpleString) return this.#line(43, /* + */ r.value);
    if (Array.isArray(r)) {
      this.#line(42, /* * */ String(r.length));
      for (let i = 0; i < r.length; i++) this.write(r[i]);
      return;
    }
    if (typeof r === "bigint") return this.#line(58, r.toString());
    if (r instanceof ReplyError) return this.#line(45, /* - */ r.message);
    if (r instanceof RespMap) {
      const n = r.entries.length;
      if (this.resp === 3) this.#line(37, /* % */ String(n / 2));
      else this.#line(42, String(n));
      for (let i = 0; i < n; i++) this.write(r.entries[i]);
      return;
    }
    if (r instanceof RespSet) {
      this.#line(this.resp === 3 ? 126 /* ~ */ : 42, String(r.items.length));
      for (const x of r.items) this.write(x);
      return;
    }
    if (r instanceof RespDouble) {
      const text = r.text ?? formatDouble(r.value);
      if (this.resp === 3) return this.#line(44, /* , */ text);
      return this.bulk(text);
    }
    if (r instanceof RespBool) {
      if (this.resp === 3) return this.rawStr(r.value ? "#t\r\n" : "#f\r\n");
      return this.rawStr(r.value ? ":1\r\n" : ":0\r\n");
    }
    if (r instanceof Verbatim) {
      if (this.resp === 3) {
        const body = `${r.format}:${r.text}`;
        this.#line(61, /* = */ String(body.length));
        this.rawStr(body);
        this.rawStr("\r\n");
        return;
      }
      return this.bulk(r.text);
    }
    if (r instanceof BigNumber) {
      return this.resp === 3 ? this.#line(40, /* ( */ r.digits) : this.bulk(r.digits);
    }
    if (r instanceof Push) {
      this.#line(this.resp === 3 ? 62 /* > */ : 42, String(r.items.length));
      for (const x of r.items) this.write(x);
      return;
    }
    if (r instanceof Multi) {
      for (const x of r.replies) this.write(x);
      return;
    }
    if (r === NULL_ARRAY) return this.rawStr(this.resp === 3 ? "_\r\n" : "*-1\r\n");
    if (r === NO_REPLY) return;
    throw new TypeError(`Cannot encode reply: ${String(r)}`);
  }

  /** `$len\r\nbytes\r\n` */
  bulk(s: string): void {
    const n = s.length;
    this.#ensure(n + 24);
    const buf = this.#buf;
    let p = this.#len;
    buf[p++] = 36; // $
    p = writeDecimal(buf, p, n);
    buf[p++] = 13;
    buf[p++] = 10;
    p = writeStr(buf, p, s);
    buf[p++] = 13;
    buf[p++] = 10;
    this.#len = p;
  }

  /** An error reply from its full text. */
  error(message: string): void {
    this.#line(45, message);
  }

  #line(prefix: number, body: string): void {
    this.#ensure(body.length + 1 + CRLF_LEN);
    const buf = this.#buf;
    buf[this.#len] = prefix;
    let p = writeStr(buf, this.#len + 1, body);
    buf[p++] = 13;
    buf[p++] = 10;
    this.#len = p;
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

function writeDecimal(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n;
    return p + 1;
  }
  const s = String(n);
  for (let i = 0; i < s.length; i++) buf[p + i] = s.charCodeAt(i);
  return p + s.length;
}

/**
 * Encodes a command as a RESP array of bulk strings (propagation, MONITOR-free tools, tests).
 * @param argv the command and its arguments as byte strings
 * @returns the RESP bytes as a byte string
 */
export function encodeCommand(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}
