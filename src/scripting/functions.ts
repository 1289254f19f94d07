// Redis 7.0 functions (functions.c, function_lua.c): the library registry, FUNCTION LOAD's
// metadata checks and linking rules, DUMP/RESTORE payloads and the RDB FUNCTION2 records. The
// Lua side is a second ScriptingEngine built in functions mode (its own VM, as in Redis).
// Library names are case-sensitive; function names are looked up case-insensitively.

import type { Client } from "../client.ts";
import type { Pending } from "../commands/dispatcher.ts";
import {
  FUNCTION_BAD_NAME,
  FUNCTION_DUPLICATE_IN_LIBRARY,
  FUNCTION_INVALID_METADATA,
  FUNCTION_MISSING_METADATA,
  FUNCTION_NAME_TWICE,
  FUNCTION_NO_LIBRARY_NAME,
  FUNCTION_NONE_REGISTERED,
  FUNCTION_NOT_A_FUNCTION,
  FUNCTION_PAYLOAD_LOAD_FAILED,
  FUNCTION_READ_TYPE_FAILED,
  functionBadMetadata,
  functionEngineNotFound,
  functionExists,
  functionLibraryExists,
} from "../errors.ts";
import { bytesToHuman as human, type InfoValue } from "../info.ts";
import * as C from "../persistence/rdb/constants.ts";
import { RdbCursor } from "../persistence/rdb/reader.ts";
import { RdbWriter } from "../persistence/rdb/writer.ts";
import type { Reply } from "../resp/types.ts";
import type { Server } from "../server.ts";
import { splitArgs } from "../util/split_args.ts";
import { type RegisteredFunction, ScriptingEngine, scriptingIfCreated } from "./engine.ts";

/** The only engine, as FUNCTION LIST and STATS name it. */
export const ENGINE_NAME = "LUA";
/** FUNCTION LOAD's time limit for a library's top-level code (LOAD_TIMEOUT_MS). */
export const LOAD_TIMEOUT_MS = 500;

/** A registered function. */
export interface FunctionInfo extends RegisteredFunction {
  library: LibraryInfo;
}

/** A loaded library. */
export interface LibraryInfo {
  name: string;
  /** The whole code as loaded, shebang included (FUNCTION LIST WITHCODE, DUMP, RDB). */
  code: string;
  /** Its functions by exact name, in registration order. */
  functions: Map<string, FunctionInfo>;
}

/** A set of libraries and the function index over them (functionsLibCtx). */
export class LibraryCtx {
  /** Library name → library, in load order. */
  readonly libraries = new Map<string, LibraryInfo>();
  /** Lowercase function name → function (Redis's case-insensitive dict). */
  readonly functions = new Map<string, FunctionInfo>();
  /** Number of linked functions (stats count every registered one). */
  functionCount = 0;

  link(li: LibraryInfo): void {
    for (const fi of li.functions.values()) {
      const key = fi.name.toLowerCase();
      if (!this.functions.has(key)) this.functions.set(key, fi);
    }
    this.libraries.set(li.name, li);
    this.functionCount += li.functions.size;
  }

  unlink(li: LibraryInfo): void {
    for (const fi of li.functions.values()) {
      const key = fi.name.toLowerCase();
      if (this.functions.get(key) === fi) this.functions.delete(key);
    }
    this.libraries.delete(li.name);
    this.functionCount -= li.functions.size;
  }
}

/** FUNCTION RESTORE's policy for libraries that already exist. */
export type RestorePolicy = "append" | "replace" | "flush";

/** The functions of one server: the Lua VM and the current libraries. */
export class Functions {
  readonly #server: Server;
  #engine: ScriptingEngine;
  /** The current libraries. */
  ctx = new LibraryCtx();

  constructor(server: Server) {
    this.#server = server;
    this.#engine = new ScriptingEngine(server, true);
  }

  /** The functions VM. */
  get engine(): ScriptingEngine {
    return this.#engine;
  }

  /** The function FCALL `name` runs, if any. */
  find(name: string): FunctionInfo | undefined {
    return this.ctx.functions.get(name.toLowerCase());
  }

  /**
   * Runs a function for `caller` (FCALL / FCALL_RO, whose command is `argv`); a Pending when
   * it runs past busy-reply-threshold and paused.
   */
  call(
    caller: Client,
    fn: FunctionInfo,
    keys: string[],
    args: string[],
    ro: boolean,
    argv: string[],
  ): Reply | Pending {
    return this.#engine.callFunction(caller, fn, keys, args, ro, argv);
  }

  /**
   * Compiles and links a library (functionsCreateWithLibraryCtx).
   * @param code the library code, `#!lua name=...` first
   * @param replace replace a library of the same name
   * @param ctx where to link it (RESTORE builds a separate set first)
   * @param timeoutMs the load time limit, 0 for none
   * @returns the library name, or the error text (without "ERR ")
   */
  create(
    code: string,
    replace: boolean,
    ctx: LibraryCtx = this.ctx,
    timeoutMs = 0,
  ): { name: string } | { error: string } {
    const md = extractMetadata(code);
    if ("error" in md) return md;
    if (!validName(md.name)) return { error: FUNCTION_BAD_NAME };
    if (md.engine.toUpperCase() !== ENGINE_NAME) {
      return { error: functionEngineNotFound(md.engine) };
    }
    const old = ctx.libraries.get(md.name);
    if (old !== undefined && !replace) return { error: functionLibraryExists(md.name, true) };
    if (old !== undefined) ctx.unlink(old);
    const li: LibraryInfo = { name: md.name, code, functions: new Map() };
    const fail = (error: string) => {
      this.#release(li);
      if (old !== undefined) ctx.link(old);
      return { error };
    };
    const err = this.#engine.createLibrary(md.body, timeoutMs, (f) => {
      if (!validName(f.name)) return FUNCTION_BAD_NAME;
      if (li.functions.has(f.name)) return FUNCTION_DUPLICATE_IN_LIBRARY;
      li.functions.set(f.name, { ...f, library: li });
      return null;
    });
    if (err !== null) return fail(err);
    if (li.functions.size === 0) return fail(FUNCTION_NONE_REGISTERED);
    for (const fi of li.functions.values()) {
      if (ctx.functions.has(fi.name.toLowerCase())) return fail(functionExists(fi.name));
    }
    ctx.link(li);
    if (old !== undefined) this.#release(old);
    return { name: md.name };
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: string): boolean {
    const li = this.ctx.libraries.get(name);
    if (li === undefined) return false;
    this.ctx.unlink(li);
    this.#release(li);
    return true;
  }

  /** FUNCTION FLUSH: every library goes, and the VM is replaced by a fresh one. */
  flush(): void {
    this.ctx = new LibraryCtx();
    this.#engine = new ScriptingEngine(this.#server, true);
  }

  /** Writes every library as Redis 7.0's rdbSaveFunctions does. */
  writeRdb(w: RdbWriter): void {
    for (const li of this.ctx.libraries.values()) {
      w.byte(C.RDB_OPCODE_FUNCTION2);
      w.string(li.code);
    }
  }

  /**
   * FUNCTION RESTORE of a payload whose footer was verified: the libraries are built aside,
   * then swapped in (FLUSH) or joined (APPEND / REPLACE), all or nothing.
   * @returns null, or the error text (without "ERR ")
   */
  restore(payload: Uint8Array, policy: RestorePolicy): string | null {
    const tmp = new LibraryCtx();
    const c = new RdbCursor(payload);
    while (payload.length - c.pos > 10) {
      const r = readLibraryRecord(c);
      if (r.error !== undefined) return this.#discard(tmp, r.error);
      const made = this.create(r.code, false, tmp);
      if ("error" in made) return this.#discard(tmp, made.error);
    }
    if (policy === "flush") {
      for (const li of this.ctx.libraries.values()) this.#release(li);
      this.ctx = tmp;
      return null;
    }
    const err = this.#join(tmp, policy === "replace");
    return err === null ? null : this.#discard(tmp, err);
  }

  // libraryJoin: moves every library of `src` into the current set; on a name collision the
  // old library is replaced (replace) or the join is abandoned and nothing changes.
  #join(src: LibraryCtx, replace: boolean): string | null {
    const dst = this.ctx;
    const replaced: LibraryInfo[] = [];
    const undo = (err: string) => {
      for (const li of replaced) dst.link(li);
      return err;
    };
    for (const li of src.libraries.values()) {
      const old = dst.libraries.get(li.name);
      if (old === undefined) continue;
      if (!replace) return undo(functionLibraryExists(li.name, false));
      dst.unlink(old);
      replaced.push(old);
    }
    for (const fi of src.functions.values()) {
      if (dst.functions.has(fi.name.toLowerCase())) return undo(functionExists(fi.name));
    }
    for (const li of src.libraries.values()) dst.link(li);
    for (const li of replaced) this.#release(li);
    return null;
  }

  #discard(ctx: LibraryCtx, err: string): string {
    for (const li of ctx.libraries.values()) this.#release(li);
    return err;
  }

  #release(li: LibraryInfo): void {
    for (const fi of li.functions.values()) this.#engine.releaseFunction(fi.ref);
  }

  /** Estimated bytes of the VM (used_memory_vm_functions): Lua's baseline plus the code. */
  vmMemory(): number {
    let code = 0;
    for (const li of this.ctx.libraries.values()) code += li.code.length;
    return VM_BASELINE + roundKb(code * 4 + this.ctx.functionCount * 512);
  }

  /** Estimated bytes of the registry itself (used_memory_functions, functionsMemoryEngine). */
  overhead(): number {
    let n = REGISTRY_BASELINE;
    for (const li of this.ctx.libraries.values()) {
      n += 96 + li.name.length + li.code.length;
      for (const fi of li.functions.values()) n += 144 + fi.name.length + (fi.desc?.length ?? 0);
    }
    return n;
  }
}

// A fresh Redis 7.0 Lua VM reports 32-33 KB (lua_gc LUA_GCCOUNT); the registry starts at 200.
const VM_BASELINE = 33792;
const REGISTRY_BASELINE = 200;

function roundKb(n: number): number {
  return Math.ceil(n / 1024) * 1024;
}

interface Metadata {
  engine: string;
  name: string;
  /** The code after the shebang line, from its newline on (so line numbers stay right). */
  body: string;
}

// functionExtractLibMetaData: `#!<engine> name=<name>` on the first line.
function extractMetadata(code: string): Metadata | { error: string } {
  if (!code.startsWith("#!")) return { error: FUNCTION_MISSING_METADATA };
  const nl = code.indexOf("\n");
  if (nl < 0) return { error: FUNCTION_INVALID_METADATA };
  const parts = splitArgs(code.slice(0, nl));
  if (parts === null || parts.length === 0) return { error: FUNCTION_INVALID_METADATA };
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (p.slice(0, 5).toLowerCase() !== "name=") return { error: functionBadMetadata(p) };
    if (name !== null) return { error: FUNCTION_NAME_TWICE };
    name = p.slice(5);
  }
  if (name === null) return { error: FUNCTION_NO_LIBRARY_NAME };
  return { engine: parts[0].slice(2), name, body: code.slice(nl) };
}

// functionsVerifyName: [a-zA-Z0-9_]+
function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

/**
 * Reads one library record at the cursor: the type byte, then FUNCTION2's code, or the
 * pre-release 7.0 record (name, engine, optional description, code) turned into code with a
 * shebang, as rdbFunctionLoad does. Read errors give Redis's texts.
 */
function readLibraryRecord(c: RdbCursor): { code: string; error?: undefined } | { error: string } {
  const step = <T>(read: () => T, error: string): T | { error: string } => {
    try {
      return read();
    } catch {
      return { error };
    }
  };
  const type = step(() => c.byte(), FUNCTION_READ_TYPE_FAILED);
  if (typeof type !== "number") return type;
  if (type === C.RDB_OPCODE_FUNCTION_PRE_GA) {
    const name = step(() => c.string(), "Failed loading library name");
    if (typeof name !== "string") return name;
    const engine = step(() => c.string(), "Failed loading engine name");
    if (typeof engine !== "string") return engine;
    const hasDesc = step(() => c.len(), "Failed loading library description indicator");
    if (typeof hasDesc !== "number") return hasDesc;
    if (hasDesc !== 0) {
      const desc = step(() => c.string(), "Failed loading library description");
      if (typeof desc !== "string") return desc;
    }
    const blob = step(() => c.string(), "Failed loading library blob");
    if (typeof blob !== "string") return blob;
    return { code: `#!${engine} name=${name}\n${blob}` };
  }
  if (type !== C.RDB_OPCODE_FUNCTION2) return { error: FUNCTION_NOT_A_FUNCTION };
  const code = step(() => c.string(), FUNCTION_PAYLOAD_LOAD_FAILED);
  if (typeof code !== "string") return code;
  return { code };
}

const registries = new WeakMap<Server, Functions>();

/** The functions of `server`, created on first use. */
export function functionsOf(server: Server): Functions {
  let f = registries.get(server);
  if (f === undefined) {
    f = new Functions(server);
    registries.set(server, f);
  }
  return f;
}

/** The functions of `server` if anything created them (FCALL, INFO must not build a VM). */
export function functionsIfCreated(server: Server): Functions | undefined {
  return registries.get(server);
}

// --- RDB hooks (wired in by persistence)

/**
 * Writes every library of `server` into an RDB being saved, as Redis 7.0's rdbSaveRio does:
 * one RDB_OPCODE_FUNCTION2 record (the code as a string) per library, after the aux fields
 * and before the first SELECTDB.
 */
export function writeFunctionsRdb(w: RdbWriter, server: Server): void {
  functionsIfCreated(server)?.writeRdb(w);
}

/**
 * FUNCTION DUMP's payload: every library as a FUNCTION2 record, then DUMP's footer (RDB
 * version and CRC64).
 */
export function dumpFunctions(server: Server, compression: boolean): Uint8Array {
  const w = new RdbWriter(null, compression);
  writeFunctionsRdb(w, server);
  w.finishDump();
  return w.toBytes();
}

/**
 * Drops every library before an RDB load that replaces the dataset (full sync from a master,
 * DEBUG RELOAD without NOFLUSH), as Redis does.
 */
export function clearFunctionsForLoad(server: Server): void {
  functionsIfCreated(server)?.flush();
}

/**
 * Loads one FUNCTION2 record's code met while reading an RDB (rdbFunctionLoad).
 * @param replace replace a library of the same name (DEBUG RELOAD MERGE, RDBFLAGS_ALLOW_DUP)
 * @throws Error `Failed loading library, <reason>` (Redis logs it and the load fails)
 */
export function loadFunctionRdb(server: Server, code: string, replace = false): void {
  const made = functionsOf(server).create(code, replace);
  if ("error" in made) throw new Error(`Failed loading library, ${made.error}`);
}

/**
 * The commands an AOF rewrite without an RDB preamble writes for the libraries, before the
 * databases (aof.c rewriteFunctions): one `FUNCTION LOAD <code>` per library.
 */
export function functionsAofCommands(server: Server): string[][] {
  const fns = functionsIfCreated(server);
  if (fns === undefined) return [];
  return [...fns.ctx.libraries.values()].map((li) => ["FUNCTION", "LOAD", li.code]);
}

// --- INFO memory

/**
 * The Lua and functions fields of INFO memory, in Redis 7.0.15's order (they follow
 * total_system_memory_human). Redis reads its Lua VMs' allocators; fengari keeps Lua values
 * on the JS heap, so the VM figures are estimates: Redis's baseline for a fresh VM plus an
 * allowance for each script's or library's code. The cache figures follow Redis's layout.
 */
export function luaMemoryFields(server: Server): [string, InfoValue][] {
  const evalEngine = scriptingIfCreated(server);
  const fns = functionsIfCreated(server);
  let scriptsMem = 0;
  let scriptsCode = 0;
  const scripts = evalEngine?.scripts.size ?? 0;
  if (evalEngine !== undefined) {
    for (const s of evalEngine.scripts.values()) {
      // dict entry, SHA sds, the body's robj and sds (eval.c evalMemory / dictMemUsage).
      scriptsMem += 112 + s.body.length;
      scriptsCode += s.body.length;
    }
  }
  const vmEval = EVAL_VM_BASELINE + roundKb(scriptsCode * 4 + scripts * 256);
  const vmFunctions = fns?.vmMemory() ?? VM_BASELINE;
  const fnMem = fns?.overhead() ?? REGISTRY_BASELINE;
  const vmTotal = vmEval + vmFunctions;
  return [
    ["used_memory_lua", vmEval],
    ["used_memory_vm_eval", vmEval],
    ["used_memory_lua_human", human(vmEval)],
    ["used_memory_scripts_eval", scriptsMem],
    ["number_of_cached_scripts", scripts],
    ["number_of_functions", fns?.ctx.functions.size ?? 0],
    ["number_of_libraries", fns?.ctx.libraries.size ?? 0],
    ["used_memory_vm_functions", vmFunctions],
    ["used_memory_vm_total", vmTotal],
    ["used_memory_vm_total_human", human(vmTotal)],
    ["used_memory_functions", fnMem],
    ["used_memory_scripts", scriptsMem + fnMem],
    ["used_memory_scripts_human", human(scriptsMem + fnMem)],
  ];
}

// A fresh EVAL VM in Redis 7.0 reports 32 KB.
const EVAL_VM_BASELINE = 32768;
