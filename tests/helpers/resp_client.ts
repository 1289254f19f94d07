// A minimal RESP client for tests: sends commands (or raw bytes) and reads back exactly one
// reply at a time, both as its raw bytes (for byte-for-byte comparison with real Redis) and
// parsed into plain JS values.

import { bytesToStr, strToBytes } from "../../src/util/bytes.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";

/** A parsed reply: strings are byte strings; errors are `{ error }`; RESP3 maps are Maps. */
export type Value =
  | string
  | number
  | bigint
  | boolean
  | null
  | Value[]
  | { error: string }
  | { status: string }
  | { double: string }
  | { push: Value[] }
  | { verbatim: string }
  | Map<Value, Value>
  | Set<Value>;

/** Raw and parsed form of one reply. */
export interface ReplyRecord {
  raw: string;
  value: Value;
}

/** A test connection to a RESP server. */
export class RespClient {
  #conn: Deno.TcpConn;
  #buf = "";
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects to 127.0.0.1:`port`. */
  static async connect(port: number): Promise<RespClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    return new RespClient(conn);
  }

  /** Sends raw bytes (a byte string or bytes). */
  async writeRaw(data: string | Uint8Array): Promise<void> {
    let bytes = typeof data === "string" ? strToBytes(data) : data;
    while (bytes.length > 0) {
      const n = await this.#conn.write(bytes);
      bytes = bytes.subarray(n);
    }
  }

  /** Sends one command and returns its parsed reply (errors are returned, not thrown). */
  async call(...args: (string | number)[]): Promise<Value> {
    return (await this.callRaw(...args)).value;
  }

  /** Sends one command and returns the raw and parsed reply. */
  async callRaw(...args: (string | number)[]): Promise<ReplyRecord> {
    await this.writeRaw(encodeCommand(args.map(String)));
    return await this.read();
  }

  /** Reads the next reply. Rejects when the connection closes first. */
  async read(timeoutMs = 10000): Promise<ReplyRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = parseReply(this.#buf, 0);
      if (r !== null) {
        const raw = this.#buf.slice(0, r.end);
        this.#buf = this.#buf.slice(r.end);
        return { raw, value: r.value };
      }
      if (Date.now() > deadline) throw new Error("Timed out waiting for a reply");
      const chunk = new Uint8Array(64 * 1024);
      const n = await this.#readWithTimeout(chunk, deadline - Date.now());
      if (n === null) throw new Error("Connection closed");
      this.#buf += bytesToStr(chunk.subarray(0, n));
    }
  }

  async #readWithTimeout(chunk: Uint8Array, ms: number): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const t = new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), Math.max(ms, 1))
    );
    try {
      const r = await Promise.race([this.#conn.read(chunk), t]);
      if (r === "timeout") throw new Error("Timed out waiting for a reply");
      return r;
    } finally {
      clearTimeout(timer);
    }
  }

  /** True when the server closed the connection (reads EOF within `ms`). */
  async closedByPeer(ms = 2000): Promise<boolean> {
    try {
      const chunk = new Uint8Array(1024);
      const deadline = Date.now() + ms;
      for (;;) {
        const n = await this.#readWithTimeout(chunk, deadline - Date.now());
        if (n === null) return true;
      }
    } catch (err) {
      return (err as Error).message !== "Timed out waiting for a reply";
    }
  }

  /** Closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

function lineEnd(s: string, from: number): number {
  const i = s.indexOf("\r\n", from);
  return i;
}

/**
 * Parses one RESP2/RESP3 reply from `s` at `pos`.
 * @returns the value and the end offset, or null when incomplete
 */
export function parseReply(s: string, pos: number): { value: Value; end: number } | null {
  if (pos >= s.length) return null;
  const t = s[pos];
  const le = lineEnd(s, pos);
  if (le < 0) return null;
  const line = s.slice(pos + 1, le);
  const next = le + 2;
  switch (t) {
    case "+":
      return { value: { status: line }, end: next };
    case "-":
      return { value: { error: line }, end: next };
    case ":": {
      const n = Number(line);
      return { value: Number.isSafeInteger(n) ? n : BigInt(line), end: next };
    }
    case "_":
      return { value: null, end: next };
    case "#":
      return { value: line === "t", end: next };
    case ",":
      return { value: { double: line }, end: next };
    case "(":
      return { value: BigInt(line), end: next };
    case "$":
    case "=":
    case "!": {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (s.length < next + len + 2) return null;
      const body = s.slice(next, next + len);
      const value: Value = t === "=" ? { verbatim: body } : t === "!" ? { error: body } : body;
      return { value, end: next + len + 2 };
    }
    case "*":
    case "~":
    case ">":
    case "%": {
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      const count = t === "%" ? n * 2 : n;
      const items: Value[] = [];
      let p = next;
      for (let i = 0; i < count; i++) {
        const r = parseReply(s, p);
        if (r === null) return null;
        items.push(r.value);
        p = r.end;
      }
      if (t === "%") {
        const m = new Map<Value, Value>();
        for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
        return { value: m, end: p };
      }
      if (t === "~") return { value: new Set(items), end: p };
      if (t === ">") return { value: { push: items }, end: p };
      return { value: items, end: p };
    }
    default:
      throw new Error(`Bad reply type byte: ${JSON.stringify(t)}`);
  }
}
