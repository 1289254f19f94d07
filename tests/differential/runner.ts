// Differential runner shared by tests/integration/differential_test.ts and
// scripts/compare_with_redis.ts: parses the corpus files of this folder (format in README.md),
// sends every line to a real redis-server and to our server over TCP, and compares the raw reply
// bytes. Each file runs against fresh servers; a mismatch names file:line, the line and both
// replies. The corpus holds no expected values: real Redis 7.0 is the truth.

import { splitArgs } from "../../src/util/split_args.ts";
import { encodeCommand } from "../../src/resp/encoder.ts";
import { bytesToStr } from "../../src/util/bytes.ts";
import { RespClient } from "../helpers/resp_client.ts";
import { hasBinary, startRedis, startServer } from "../helpers/server.ts";

/** How a reply is normalised on both sides before comparing. */
export type Modifier = "type" | "sorted" | "anyint";

/** One executable line of a corpus file. */
export interface Step {
  file: string;
  line: number;
  /** The line as written (for reports). */
  text: string;
  /** Connection slot: 1 (default) or 2 (`!conn2`). */
  conn: number;
  modifiers: Modifier[];
  /** Replies to read after sending (1 unless `!replies N`). */
  replies: number;
  action:
    | { kind: "command"; argv: string[] }
    | { kind: "raw"; bytes: string }
    | { kind: "closed" }
    | { kind: "reconnect" }
    | { kind: "flushall" }
    | { kind: "sleep"; ms: number };
}

/** One difference between Redis and us. */
export interface Mismatch {
  file: string;
  line: number;
  text: string;
  redis: string;
  ours: string;
}

/** A server to talk to: its port. Connections are opened lazily per slot. */
export interface Endpoint {
  port: number;
}

/** Starts a fresh pair of servers for one file and stops them afterwards. */
export interface ServerPair {
  redis: Endpoint;
  ours: Endpoint;
  close(): Promise<void>;
}

const REPLY_TIMEOUT_MS = 3000;
const CLOSE_WAIT_MS = 1000;

/**
 * Unescapes the data of a `!raw` line: \r \n \t \0 \\ \xHH, and \{N text} for `text` repeated
 * N times (text itself may use the other escapes but not `}`).
 * @throws SyntaxError on an unknown escape
 */
export function unescapeRaw(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === "r") out += "\r";
    else if (e === "n") out += "\n";
    else if (e === "t") out += "\t";
    else if (e === "0") out += "\0";
    else if (e === "\\") out += "\\";
    else if (e === "x") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new SyntaxError(`Bad \\x escape: ${hex}`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if (e === "{") {
      const close = s.indexOf("}", i);
      const m = close < 0 ? null : /^(\d+) (.+)$/.exec(s.slice(i + 1, close));
      if (m === null) throw new SyntaxError(`Bad \\{N text} repeat: ${s.slice(i)}`);
      out += unescapeRaw(m[2]).repeat(Number(m[1]));
      i = close;
    } else {
      throw new SyntaxError(`Unknown escape: \\${e}`);
    }
  }
  return out;
}

/**
 * Parses a corpus file into steps.
 * @param text the file contents
 * @param file the name used in reports
 * @throws SyntaxError naming file:line on a malformed line
 */
export function parseCorpus(text: string, file: string): Step[] {
  const steps: Step[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let rest = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    const lineNo = i + 1;
    const where = `${file}:${lineNo}`;
    if (rest.trim() === "" || rest.trimStart().startsWith("#")) continue;
    const text = rest;
    const step: Step = {
      file,
      line: lineNo,
      text,
      conn: 1,
      modifiers: [],
      replies: 1,
      action: { kind: "closed" },
    };
    let action: Step["action"] | null = null;
    for (;;) {
      rest = rest.trimStart();
      if (!rest.startsWith("!")) break;
      const sp = rest.indexOf(" ");
      const word = sp < 0 ? rest : rest.slice(0, sp);
      const after = sp < 0 ? "" : rest.slice(sp + 1);
      if (word === "!type" || word === "!sorted" || word === "!anyint") {
        step.modifiers.push(word.slice(1) as Modifier);
        rest = after;
      } else if (word === "!conn2") {
        step.conn = 2;
        rest = after;
      } else if (word === "!replies") {
        const m = /^(\d+)\s*(.*)$/.exec(after);
        if (m === null) throw new SyntaxError(`${where}: !replies needs a count`);
        step.replies = Number(m[1]);
        rest = m[2];
      } else if (word === "!raw") {
        try {
          action = { kind: "raw", bytes: unescapeRaw(after) };
        } catch (err) {
          throw new SyntaxError(`${where}: ${(err as Error).message}`);
        }
        rest = "";
        break;
      } else if (word === "!closed" || word === "!reconnect" || word === "!flushall") {
        if (after.trim() !== "") throw new SyntaxError(`${where}: ${word} takes no argument`);
        action = { kind: word.slice(1) as "closed" | "reconnect" | "flushall" };
        rest = "";
        break;
      } else if (word === "!sleep") {
        const ms = Number(after.trim());
        if (!Number.isInteger(ms) || ms < 0) throw new SyntaxError(`${where}: bad !sleep`);
        action = { kind: "sleep", ms };
        rest = "";
        break;
      } else {
        throw new SyntaxError(`${where}: unknown directive ${word}`);
      }
    }
    if (action === null) {
      const argv = splitArgs(rest);
      if (argv === null) throw new SyntaxError(`${where}: unbalanced quotes`);
      if (argv.length === 0) throw new SyntaxError(`${where}: modifiers without a command`);
      action = { kind: "command", argv };
    }
    step.action = action;
    steps.push(step);
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Reply normalisation

interface Node {
  type: string;
  head: string;
  body?: string;
  children?: Node[];
}

function parseNode(s: string, pos: number): { node: Node; end: number } {
  const t = s[pos];
  const le = s.indexOf("\r\n", pos);
  if (le < 0) throw new SyntaxError("Truncated reply");
  const head = s.slice(pos + 1, le);
  let p = le + 2;
  if (t === "$" || t === "=" || t === "!") {
    const n = Number(head);
    if (n < 0) return { node: { type: t, head }, end: p };
    return { node: { type: t, head, body: s.slice(p, p + n) }, end: p + n + 2 };
  }
  if (t === "*" || t === "~" || t === ">" || t === "%" || t === "|") {
    const n = Number(head);
    if (n < 0) return { node: { type: t, head }, end: p };
    const count = t === "%" || t === "|" ? n * 2 : n;
    const children: Node[] = [];
    for (let i = 0; i < count; i++) {
      const r = parseNode(s, p);
      children.push(r.node);
      p = r.end;
    }
    return { node: { type: t, head, children }, end: p };
  }
  return { node: { type: t, head }, end: p };
}

function serialize(n: Node): string {
  let s = `${n.type}${n.head}\r\n`;
  if (n.body !== undefined) s += `${n.body}\r\n`;
  if (n.children) { for (const c of n.children) s += serialize(c); }
  return s;
}

function transform(n: Node, mods: Modifier[]): Node {
  let children = n.children?.map((c) => transform(c, mods));
  if (mods.includes("type")) {
    // Shape only: the type byte, and the element count of aggregates.
    const isAggregate = children !== undefined;
    const isNull = n.body === undefined && !isAggregate && (n.type === "$" || n.type === "*");
    return {
      type: n.type,
      head: isAggregate || isNull ? n.head : "?",
      children,
    };
  }
  if (mods.includes("sorted") && children && (n.type === "*" || n.type === "~")) {
    children = [...children].sort((a, b) => {
      const x = serialize(a);
      const y = serialize(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  if (mods.includes("anyint") && n.type === ":") return { type: ":", head: "?" };
  return { ...n, children };
}

/**
 * Applies the step's modifiers to a raw reply (several replies back to back allowed).
 * Markers such as `<closed>` pass through unchanged.
 */
export function normalize(raw: string, mods: Modifier[]): string {
  if (mods.length === 0) return raw;
  let out = "";
  let p = 0;
  try {
    while (p < raw.length) {
      if (raw[p] === "<") return out + raw.slice(p);
      const r = parseNode(raw, p);
      out += serialize(transform(r.node, mods));
      p = r.end;
    }
  } catch {
    return raw;
  }
  return out;
}

/** Escapes a raw reply for a report: CR, LF and non-printable bytes become escapes. */
export function escape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 13) out += "\\r";
    else if (c === 10) out += "\\n";
    else if (c === 92) out += "\\\\";
    else if (c < 32 || c > 126) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += s[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Execution

/** The connections of one side (Redis or ours) for the current file. */
class Side {
  #port: number;
  #conns = new Map<number, RespClient>();

  constructor(port: number) {
    this.#port = port;
  }

  async #conn(slot: number): Promise<RespClient> {
    let c = this.#conns.get(slot);
    if (c === undefined) {
      c = await RespClient.connect(this.#port);
      this.#conns.set(slot, c);
    }
    return c;
  }

  #drop(slot: number): void {
    this.#conns.get(slot)?.close();
    this.#conns.delete(slot);
  }

  /** Runs a step; returns what it observed (raw replies or a `<...>` marker). */
  async run(step: Step): Promise<string> {
    const a = step.action;
    switch (a.kind) {
      case "sleep":
        await new Promise((r) => setTimeout(r, a.ms));
        return "";
      case "reconnect":
        this.#drop(step.conn);
        return "";
      case "closed": {
        const c = this.#conns.get(step.conn);
        if (c === undefined) return "<not connected>";
        // Replies still arriving before the close are part of what is compared.
        let extra = "";
        let state = "<still open>";
        try {
          for (;;) extra += (await c.read(CLOSE_WAIT_MS)).raw;
        } catch (err) {
          const msg = (err as Error).message;
          if (msg !== "Timed out waiting for a reply") state = "<closed>";
        }
        this.#drop(step.conn);
        return extra + state;
      }
      case "flushall":
      case "command":
      case "raw": {
        const bytes = a.kind === "raw"
          ? a.bytes
          : encodeCommand(a.kind === "flushall" ? ["FLUSHALL"] : a.argv);
        let c: RespClient;
        try {
          c = await this.#conn(step.conn);
        } catch (err) {
          return `<connect failed: ${(err as Error).message}>`;
        }
        let out = "";
        try {
          await c.writeRaw(bytes);
          for (let i = 0; i < step.replies; i++) out += (await c.read(REPLY_TIMEOUT_MS)).raw;
        } catch (err) {
          // A closed, stuck or garbled connection is replaced on its next use.
          this.#drop(step.conn);
          const msg = (err as Error).message;
          if (msg === "Connection closed") return `${out}<closed>`;
          if (msg === "Timed out waiting for a reply") return `${out}<timeout>`;
          return `${out}<error: ${msg}>`;
        }
        return out;
      }
    }
  }

  close(): void {
    for (const slot of [...this.#conns.keys()]) this.#drop(slot);
  }
}

/** Options for `runFile`. */
export interface RunOptions {
  /** Called after each step (the CLI's --verbose). */
  onStep?: (step: Step, redis: string, ours: string, same: boolean) => void;
}

/**
 * Runs every step of a parsed file against both endpoints, in order.
 * @returns every mismatch (later ones may be consequences of earlier ones)
 */
export async function runSteps(
  steps: Step[],
  pair: { redis: Endpoint; ours: Endpoint },
  opts: RunOptions = {},
): Promise<Mismatch[]> {
  const redis = new Side(pair.redis.port);
  const ours = new Side(pair.ours.port);
  const mismatches: Mismatch[] = [];
  try {
    for (const step of steps) {
      const r = normalize(await redis.run(step), step.modifiers);
      const o = normalize(await ours.run(step), step.modifiers);
      const same = r === o;
      opts.onStep?.(step, r, o, same);
      if (!same) {
        mismatches.push({ file: step.file, line: step.line, text: step.text, redis: r, ours: o });
      }
    }
  } finally {
    redis.close();
    ours.close();
  }
  return mismatches;
}

/** Formats a mismatch for humans: location, line, both replies escaped. */
export function formatMismatch(m: Mismatch): string {
  return `${m.file}:${m.line}: ${m.text}\n  redis: ${escape(m.redis)}\n  ours:  ${escape(m.ours)}`;
}

/** The corpus files of this folder, sorted. */
export function corpusFiles(): string[] {
  const dir = new URL(".", import.meta.url).pathname;
  const files: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile && e.name.endsWith(".redis")) files.push(`${dir}${e.name}`);
  }
  return files.sort();
}

/**
 * Runs one corpus file against a fresh pair of servers.
 * @param path the file path
 * @param start starts the servers (fresh per file, so state never leaks between files)
 */
export async function runFile(
  path: string,
  start: () => Promise<ServerPair>,
  opts: RunOptions = {},
): Promise<Mismatch[]> {
  const name = path.slice(path.lastIndexOf("/") + 1);
  // Bytes to a byte string, so UTF-8 in the corpus is sent as its bytes.
  const steps = parseCorpus(bytesToStr(await Deno.readFile(path)), name);
  const pair = await start();
  try {
    return await runSteps(steps, pair, opts);
  } finally {
    await pair.close();
  }
}

/** True when a real redis-server is available to compare against. */
export function haveRedis(): boolean {
  return hasBinary("redis-server");
}

/**
 * Starts a fresh real redis-server and our server in-process.
 * @param oursIsRedis compare Redis with a second Redis instead (checks the corpus is
 *   deterministic: every line must then match)
 */
export async function startPair(oursIsRedis = false): Promise<ServerPair> {
  const redis = await startRedis();
  if (redis === null) throw new Error("redis-server is not installed");
  try {
    if (oursIsRedis) {
      const other = await startRedis();
      if (other === null) throw new Error("redis-server is not installed");
      return {
        redis,
        ours: other,
        close: async () => {
          await other.close();
          await redis.close();
        },
      };
    }
    const ours = await startServer();
    return {
      redis,
      ours,
      close: async () => {
        await ours.close();
        await redis.close();
      },
    };
  } catch (err) {
    await redis.close();
    throw err;
  }
}
