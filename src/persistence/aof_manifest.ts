// The multi-part AOF manifest of Redis 7.0 (aof.c): which BASE file, INCR files and HISTORY
// files make up the append-only file, one line each (`file <name> seq <n> type b|i|h`), and
// the naming rules for those files. Parsing is as strict as aofLoadManifestFromFile, with its
// error texts; formatting matches getAofManifestAsString byte for byte.

import { repr } from "../config.ts";
import { splitArgs } from "../util/split_args.ts";

/** One file of the AOF: its name, sequence number and type (b base, i incr, h history). */
export interface AofInfo {
  name: string;
  seq: number;
  type: "b" | "i" | "h";
}

/** The parsed manifest (aofManifest). */
export interface AofManifest {
  base: AofInfo | null;
  incr: AofInfo[];
  history: AofInfo[];
  /** Highest BASE sequence number used so far. */
  baseSeq: number;
  /** Highest INCR sequence number used so far. */
  incrSeq: number;
}

/** A manifest that cannot be used: `line` (1-based) and its text when one line is at fault. */
export class ManifestError extends Error {
  constructor(message: string, readonly lineNo = 0, readonly line: string | null = null) {
    super(message);
    this.name = "ManifestError";
  }
}

// MANIFEST_MAX_LINE: fgets reads at most this many bytes of a line.
const MAX_LINE = 1024;

/** An empty manifest (no AOF yet). */
export function emptyManifest(): AofManifest {
  return { base: null, incr: [], history: [], baseSeq: 0, incrSeq: 0 };
}

/** A deep copy, to change and then install only once it is persisted (aofManifestDup). */
export function copyManifest(m: AofManifest): AofManifest {
  return {
    base: m.base === null ? null : { ...m.base },
    incr: m.incr.map((i) => ({ ...i })),
    history: m.history.map((i) => ({ ...i })),
    baseSeq: m.baseSeq,
    incrSeq: m.incrSeq,
  };
}

// atoll: optional blanks and sign, then digits up to the first non-digit; 0 when none.
function atoll(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/**
 * Parses manifest text as aofLoadManifestFromFile does.
 * @param text the file's bytes as a byte string
 * @returns the manifest
 * @throws ManifestError with Redis's message
 */
export function parseManifest(text: string): AofManifest {
  const m = emptyManifest();
  if (text.length === 0) throw new ManifestError("Found an empty AOF manifest");
  let maxSeq = 0;
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    // fgets: up to and including '\n', at most MAX_LINE bytes.
    const nl = text.indexOf("\n", pos);
    const end = Math.min(nl < 0 ? text.length : nl + 1, pos + MAX_LINE);
    const buf = text.slice(pos, end);
    pos = end;
    lineNo++;
    if (buf[0] === "#") continue;
    if (!buf.includes("\n")) {
      throw new ManifestError("The AOF manifest file contains too long line", lineNo, trim(buf));
    }
    const line = trim(buf);
    if (line.length === 0) {
      throw new ManifestError("Invalid AOF manifest file format", lineNo, line);
    }
    const argv = splitArgs(line);
    // argc < 6 is refused for forward compatibility (more pairs may follow).
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) {
      throw new ManifestError("Invalid AOF manifest file format", lineNo, line);
    }
    let name: string | null = null;
    let seq = 0;
    let type = "";
    for (let i = 0; i < argv.length; i += 2) {
      const k = argv[i].toLowerCase();
      if (k === "file") {
        name = argv[i + 1];
        if (name.includes("/") || name.includes("\\")) {
          throw new ManifestError("File can't be a path, just a filename", lineNo, line);
        }
      } else if (k === "seq") seq = atoll(argv[i + 1]);
      else if (k === "type") type = argv[i + 1].slice(0, 1);
    }
    if (name === null || seq === 0 || type === "") {
      throw new ManifestError("Invalid AOF manifest file format", lineNo, line);
    }
    if (type === "b") {
      if (m.base !== null) {
        throw new ManifestError("Found duplicate base file information", lineNo, line);
      }
      m.base = { name, seq, type };
      m.baseSeq = seq;
    } else if (type === "h") {
      m.history.push({ name, seq, type });
    } else if (type === "i") {
      if (seq <= maxSeq) {
        throw new ManifestError("Found a non-monotonic sequence number", lineNo, line);
      }
      m.incr.push({ name, seq, type });
      m.incrSeq = seq;
      maxSeq = seq;
    } else {
      throw new ManifestError("Unknown AOF file type", lineNo, line);
    }
  }
  return m;
}

// sdstrim(line, " \t\r\n")
function trim(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
}

// sdsneedsrepr: names with blanks, quotes, backslashes or unprintable bytes are quoted.
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 92 || c === 34 || c === 39) return true;
  }
  return false;
}

function formatLine(ai: AofInfo): string {
  const name = needsRepr(ai.name) ? repr(ai.name) : ai.name;
  return `file ${name} seq ${ai.seq} type ${ai.type}\n`;
}

/**
 * The manifest's text: BASE first, then HISTORY, then INCR files (getAofManifestAsString).
 * @param m the manifest
 * @returns the file contents
 */
export function formatManifest(m: AofManifest): string {
  let out = m.base === null ? "" : formatLine(m.base);
  for (const h of m.history) out += formatLine(h);
  for (const i of m.incr) out += formatLine(i);
  return out;
}

/**
 * Names a new BASE file and turns the current one into history
 * (getNewBaseFileNameAndMarkPreAsHistory): `<appendfilename>.<seq>.base.rdb|aof`.
 * @returns the new file's name
 */
export function newBaseName(m: AofManifest, fileName: string, rdb: boolean): string {
  if (m.base !== null) m.history.unshift({ ...m.base, type: "h" });
  const seq = ++m.baseSeq;
  const name = `${fileName}.${seq}.base${rdb ? ".rdb" : ".aof"}`;
  m.base = { name, seq, type: "b" };
  return name;
}

/**
 * Appends a new INCR file (getNewIncrAofName): `<appendfilename>.<seq>.incr.aof`.
 * @returns the new file's name
 */
export function newIncrName(m: AofManifest, fileName: string): string {
  const seq = ++m.incrSeq;
  const name = `${fileName}.${seq}.incr.aof`;
  m.incr.push({ name, seq, type: "i" });
  return name;
}

/**
 * Moves INCR files covered by a finished rewrite to history (markRewrittenIncrAofAsHistory):
 * all of them, or all but the last when `keepLast` (the one being written to).
 */
export function markIncrAsHistory(m: AofManifest, keepLast: boolean): void {
  const n = keepLast ? m.incr.length - 1 : m.incr.length;
  if (n <= 0) return;
  const old = m.incr.splice(0, n);
  // Walked from the tail, each added at the head of the history list: the order is kept.
  for (let i = old.length - 1; i >= 0; i--) m.history.unshift({ ...old[i], type: "h" });
}

/** The manifest file's name: `<appendfilename>.manifest`. */
export function manifestName(fileName: string): string {
  return `${fileName}.manifest`;
}

/** The temp manifest written before the atomic rename. */
export function tempManifestName(fileName: string): string {
  return `temp-${fileName}.manifest`;
}

/** The INCR file written while AOF waits for its first rewrite (CONFIG SET appendonly yes). */
export function tempIncrName(fileName: string): string {
  return `temp-${fileName}.incr`;
}
