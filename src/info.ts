// INFO text generation (Redis 7.0 genRedisInfoString): section selection (`default`, `all`,
// `everything`, names in any case), Redis's section order, headers and field names, CRLF
// lines. Values come from live server state; subsystems that own other figures (persistence,
// replication, eviction) register `server.infoProviders` whose fields replace ours by name.
// used_memory is the accounted figure maxmemory uses (store/memory.ts, store/evict.ts); rss is
// the OS's.

import type { BlockedState } from "./blocking/registry.ts";
import process from "node:process";
import { REDIS_VERSION, SERVER_NAME, SERVER_VERSION } from "./config.ts";
import type { Command } from "./commands/spec.ts";
import type { Server } from "./server.ts";
import { luaMemoryFields } from "./scripting/functions.ts";

/** One INFO field value. */
export type InfoValue = string | number;
/** A source of extra or overriding fields for one section. */
export type InfoProvider = () => [string, InfoValue][];

const DEFAULT_SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "module_list",
  "errorstats",
  "cluster",
  "keyspace",
];

/** The section selection INFO's arguments make (genInfoSectionDict). */
export interface InfoSelection {
  sections: Set<string>;
  all: boolean;
  everything: boolean;
}

/** Parses INFO's arguments: none means the default sections. */
export function selectSections(args: string[]): InfoSelection {
  const sel: InfoSelection = { sections: new Set(), all: false, everything: false };
  if (args.length === 0) {
    for (const s of DEFAULT_SECTIONS) sel.sections.add(s);
    return sel;
  }
  for (const a of args) {
    const l = a.toLowerCase();
    if (l === "default") { for (const s of DEFAULT_SECTIONS) sel.sections.add(s); }
    else if (l === "all") sel.all = true;
    else if (l === "everything") sel.all = sel.everything = true;
    else sel.sections.add(l);
  }
  return sel;
}

/** The whole INFO reply text for `args` (INFO's arguments after the command name). */
export function genInfo(server: Server, args: string[]): string {
  const sel = selectSections(args);
  const want = (name: string) => sel.all || sel.sections.has(name);
  let out = "";
  let n = 0;
  const section = (title: string, fields: [string, InfoValue][] | string) => {
    if (n++ > 0) out += "\r\n";
    out += `# ${title}\r\n`;
    if (typeof fields === "string") out += fields;
    else for (const [k, v] of fields) out += `${k}:${v}\r\n`;
  };
  const withProviders = (name: string, fields: [string, InfoValue][]) =>
    merge(fields, server.infoProviders.get(name));

  if (want("server")) section("Server", withProviders("server", serverFields(server)));
  if (want("clients")) section("Clients", withProviders("clients", clientFields(server)));
  if (want("memory")) section("Memory", withProviders("memory", memoryFields(server)));
  if (want("persistence")) {
    section("Persistence", withProviders("persistence", persistenceFields(server)));
  }
  if (want("stats")) section("Stats", withProviders("stats", statsFields(server)));
  if (want("replication")) {
    section("Replication", withProviders("replication", replicationFields(server)));
  }
  if (want("cpu")) section("CPU", cpuFields());
  if (want("module_list") || sel.sections.has("modules")) section("Modules", []);
  if (want("commandstats")) section("Commandstats", commandStats(server));
  if (want("errorstats")) section("Errorstats", errorStats(server));
  if (want("latencystats")) section("Latencystats", latencyStats(server));
  if (want("cluster")) section("Cluster", [["cluster_enabled", 0]]);
  if (want("keyspace")) section("Keyspace", keyspaceFields(server));
  return out;
}

// Provider fields replace same-named fields in place; new names are appended.
function merge(
  fields: [string, InfoValue][],
  providers: InfoProvider[] | undefined,
): [string, InfoValue][] {
  if (providers === undefined) return fields;
  for (const p of providers) {
    for (const [k, v] of p()) {
      const i = fields.findIndex((f) => f[0] === k);
      if (i >= 0) fields[i] = [k, v];
      else fields.push([k, v]);
    }
  }
  return fields;
}

/** Redis's bytesToHuman: 1023B, 1.00K, 1.50M ... */
export function bytesToHuman(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (n < 1024) return `${n}B`;
  let d = n;
  for (const u of units) {
    d /= 1024;
    if (d < 1024 || u === "P") return `${d.toFixed(2)}${u}`;
  }
  return `${n}B`;
}

// getSafeInfoString: characters that would break the line format become '_'.
function safe(s: string): string {
  return /[#:\r\n]/.test(s) ? s.replace(/[#:\r\n]/g, "_") : s;
}

function osName(): string {
  const os = Deno.build.os;
  const name = os === "linux"
    ? "Linux"
    : os === "darwin"
    ? "Darwin"
    : os === "windows"
    ? "Windows"
    : os === "freebsd"
    ? "FreeBSD"
    : os;
  let release = "";
  try {
    release = Deno.osRelease();
  } catch {
    release = "unknown";
  }
  return `${name} ${release} ${Deno.build.arch}`;
}

function executable(): string {
  try {
    return Deno.execPath();
  } catch {
    return "";
  }
}

/** The effective hz (Redis clamps the configured value to 1..500). */
export function effectiveHz(server: Server): number {
  return Math.min(Math.max(server.config.num("hz"), 1), 500);
}

function serverFields(server: Server): [string, InfoValue][] {
  const now = Date.now();
  const up = Math.floor((now - server.startTime) / 1000);
  // Deno runs the event loop on tokio: epoll on Linux, kqueue on the BSDs, IOCP on Windows.
  const os = Deno.build.os;
  const mux = os === "linux" ? "epoll" : os === "windows" ? "iocp" : "kqueue";
  return [
    ["redis_version", REDIS_VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", "0"],
    ["redis_mode", "standalone"],
    ["os", osName()],
    ["arch_bits", 64],
    ["monotonic_clock", "performance.now"],
    ["multiplexing_api", mux],
    // Redis prints 0.0.0 when not built with GCC.
    ["gcc_version", "0.0.0"],
    ["process_id", Deno.pid],
    ["process_supervised", "no"],
    ["run_id", server.runId],
    ["tcp_port", server.port || server.config.num("port")],
    ["server_time_usec", Math.floor((performance.timeOrigin + performance.now()) * 1000)],
    ["uptime_in_seconds", up],
    ["uptime_in_days", Math.floor(up / 86400)],
    ["hz", effectiveHz(server)],
    ["configured_hz", server.config.num("hz")],
    ["lru_clock", lruClock(now)],
    ["executable", executable()],
    ["config_file", server.config.file],
    ["io_threads_active", 0],
    ["server_name", SERVER_NAME],
    ["server_impl_version", SERVER_VERSION],
    ["deno_version", Deno.version.deno],
  ];
}

/** Redis's LRU clock: unix seconds modulo 2^24. */
export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / 1000) & 0xffffff;
}

function clientFields(server: Server): [string, InfoValue][] {
  let connected = 0;
  let blocked = 0;
  let inTimeout = 0;
  let maxIn = 0;
  let maxOut = 0;
  for (const c of server.clients.values()) {
    if (!c.isReplica) connected++;
    if (c.blocked !== null) {
      blocked++;
      if ((c.blocked as BlockedState).request.deadline > 0) inTimeout++;
    }
    if (c.decoder.buffered > maxIn) maxIn = c.decoder.buffered;
    if (c.pendingOutput > maxOut) maxOut = c.pendingOutput;
  }
  return [
    ["connected_clients", connected],
    ["cluster_connections", 0],
    ["maxclients", server.config.num("maxclients")],
    // Redis keeps the peak of the last few seconds; we report the current largest buffers.
    ["client_recent_max_input_buffer", maxIn],
    ["client_recent_max_output_buffer", maxOut],
    ["blocked_clients", blocked],
    ["tracking_clients", 0],
    ["clients_in_timeout_table", inTimeout],
  ];
}

/** Process memory as INFO and MEMORY report it. */
export interface MemorySnapshot {
  used: number;
  rss: number;
  heapTotal: number;
  peak: number;
  startup: number;
  clientsNormal: number;
  clientsReplicas: number;
}

/** Reads V8's and the OS's figures and updates the server's peak. */
export function memorySnapshot(server: Server): MemorySnapshot {
  const m = Deno.memoryUsage();
  // The accounted figure (store/memory.ts): what maxmemory compares, not V8's heap.
  const used = server.evictor.usedMemory();
  if (used > server.memoryPeak) server.memoryPeak = used;
  let normal = 0;
  let replicas = 0;
  for (const c of server.clients.values()) {
    const b = c.pendingOutput + c.decoder.buffered;
    if (c.isReplica) replicas += b;
    else normal += b;
  }
  return {
    used,
    rss: m.rss,
    heapTotal: m.heapTotal,
    peak: server.memoryPeak,
    startup: server.memoryStartup,
    clientsNormal: normal,
    clientsReplicas: replicas,
  };
}

function pct(a: number, b: number): string {
  return `${(b === 0 ? 0 : Math.fround((a * 100) / b)).toFixed(2)}%`;
}

function memoryFields(server: Server): [string, InfoValue][] {
  const m = memorySnapshot(server);
  const overhead = m.startup + m.clientsNormal + m.clientsReplicas;
  const dataset = Math.max(0, m.used - overhead);
  const net = m.used > m.startup ? m.used - m.startup : 1;
  let total = 0;
  try {
    total = Deno.systemMemoryInfo().total;
  } catch {
    total = 0;
  }
  const maxmemory = server.config.num("maxmemory");
  return [
    ["used_memory", m.used],
    ["used_memory_human", bytesToHuman(m.used)],
    ["used_memory_rss", m.rss],
    ["used_memory_rss_human", bytesToHuman(m.rss)],
    ["used_memory_peak", m.peak],
    ["used_memory_peak_human", bytesToHuman(m.peak)],
    ["used_memory_peak_perc", pct(m.used, m.peak)],
    ["used_memory_overhead", overhead],
    ["used_memory_startup", m.startup],
    ["used_memory_dataset", dataset],
    ["used_memory_dataset_perc", pct(dataset, net)],
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    ...luaMemoryFields(server),
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", server.config.get("maxmemory-policy")],
    ["mem_fragmentation_ratio", (m.used === 0 ? 0 : Math.fround(m.rss / m.used)).toFixed(2)],
    ["mem_fragmentation_bytes", m.rss - m.used],
    ["mem_not_counted_for_evict", 0],
    ["mem_replication_backlog", 0],
    ["mem_total_replication_buffers", 0],
    ["mem_clients_slaves", m.clientsReplicas],
    ["mem_clients_normal", m.clientsNormal],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", 0],
    ["mem_allocator", "v8"],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}

// Without a persistence subsystem registered these are the true values: nothing was ever
// saved or loaded, and no child process exists.
function persistenceFields(server: Server): [string, InfoValue][] {
  return [
    ["loading", 0],
    ["async_loading", 0],
    ["current_cow_peak", 0],
    ["current_cow_size", 0],
    ["current_cow_size_age", 0],
    ["current_fork_perc", "0.00"],
    ["current_save_keys_processed", 0],
    ["current_save_keys_total", 0],
    ["rdb_changes_since_last_save", server.keyspace.dirty],
    ["rdb_bgsave_in_progress", 0],
    ["rdb_last_save_time", server.lastSave],
    ["rdb_last_bgsave_status", "ok"],
    ["rdb_last_bgsave_time_sec", -1],
    ["rdb_current_bgsave_time_sec", -1],
    ["rdb_saves", 0],
    ["rdb_last_cow_size", 0],
    ["rdb_last_load_keys_expired", 0],
    ["rdb_last_load_keys_loaded", 0],
    ["aof_enabled", 0],
    ["aof_rewrite_in_progress", 0],
    ["aof_rewrite_scheduled", 0],
    ["aof_last_rewrite_time_sec", -1],
    ["aof_current_rewrite_time_sec", -1],
    ["aof_last_bgrewrite_status", "ok"],
    ["aof_rewrites", 0],
    ["aof_rewrites_consecutive_failures", 0],
    ["aof_last_write_status", "ok"],
    ["aof_last_cow_size", 0],
    ["module_fork_in_progress", 0],
    ["module_fork_last_cow_size", 0],
  ];
}

/** Ring buffers behind the instantaneous_* figures (Redis trackInstantaneousMetric). */
export class InstantaneousMetrics {
  #samples = new Map<string, { ring: number[]; idx: number; lastTime: number; last: number }>();

  /** Records the rate of `name` since the previous sample (called every ~100 ms). */
  track(name: string, current: number, now = Date.now()): void {
    let m = this.#samples.get(name);
    if (m === undefined) {
      m = { ring: new Array(16).fill(0), idx: 0, lastTime: now, last: current };
      this.#samples.set(name, m);
      return;
    }
    const t = now - m.lastTime;
    m.ring[m.idx] = t > 0 ? ((current - m.last) * 1000) / t : 0;
    m.idx = (m.idx + 1) % 16;
    m.lastTime = now;
    m.last = current;
  }

  /** The average over the 16 slots, as Redis divides by STATS_METRIC_SAMPLES. */
  get(name: string): number {
    const m = this.#samples.get(name);
    if (m === undefined) return 0;
    let sum = 0;
    for (const v of m.ring) sum += v;
    return sum / 16;
  }

  /** Forgets every sample (CONFIG RESETSTAT). */
  reset(): void {
    this.#samples.clear();
  }

  /** One cron step: network rates, and the memory peak. */
  sample(server: Server): void {
    const now = Date.now();
    this.track("net_input", server.stats.netInput, now);
    this.track("net_output", server.stats.netOutput, now);
    const used = server.evictor.usedMemory();
    if (used > server.memoryPeak) server.memoryPeak = used;
  }
}

function statsFields(server: Server): [string, InfoValue][] {
  const st = server.stats;
  const ks = server.keyspace.stats;
  let ops = 0;
  for (const v of st.opsSamples) ops += v;
  const channels = new Set<string>();
  const patterns = new Set<string>();
  const shard = new Set<string>();
  for (const c of server.clients.values()) {
    for (const x of c.channels) channels.add(x);
    for (const x of c.patterns) patterns.add(x);
    for (const x of c.shardChannels) shard.add(x);
  }
  const inst = server.instMetrics;
  return [
    ["total_connections_received", st.totalConnections],
    ["total_commands_processed", st.totalCommands],
    ["instantaneous_ops_per_sec", Math.floor(ops / 16)],
    ["total_net_input_bytes", st.netInput],
    ["total_net_output_bytes", st.netOutput],
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", (inst.get("net_input") / 1024).toFixed(2)],
    ["instantaneous_output_kbps", (inst.get("net_output") / 1024).toFixed(2)],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", st.rejectedConnections],
    ["sync_full", 0],
    ["sync_partial_ok", 0],
    ["sync_partial_err", 0],
    ["expired_keys", ks.expiredKeys],
    ["expired_stale_perc", (ks.expiredStalePerc * 100).toFixed(2)],
    ["expired_time_cap_reached_count", ks.expiredTimeCapReached],
    ["expire_cycle_cpu_milliseconds", Math.floor(ks.expireCycleCpuMs)],
    ["evicted_keys", 0],
    ["evicted_clients", st.evictedClients],
    ["total_eviction_exceeded_time", 0],
    ["current_eviction_exceeded_time", 0],
    ["keyspace_hits", ks.keyspaceHits],
    ["keyspace_misses", ks.keyspaceMisses],
    ["pubsub_channels", channels.size],
    ["pubsub_patterns", patterns.size],
    ["pubsubshard_channels", shard.size],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", 0],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", 0],
    ["tracking_total_items", 0],
    ["tracking_total_prefixes", 0],
    ["unexpected_error_replies", 0],
    ["total_error_replies", st.totalErrorReplies],
    ["dump_payload_sanitizations", 0],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
  ];
}

// The replication state owns the section (its field order depends on the role).
function replicationFields(server: Server): [string, InfoValue][] {
  return server.replication.infoFields();
}

function secs(usec: number): string {
  const s = Math.floor(usec / 1e6);
  return `${s}.${String(Math.floor(usec - s * 1e6)).padStart(6, "0")}`;
}

// process.cpuUsage() is getrusage(RUSAGE_SELF); we start no child processes.
function cpuFields(): [string, InfoValue][] {
  const u = process.cpuUsage();
  return [
    ["used_cpu_sys", secs(u.system)],
    ["used_cpu_user", secs(u.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
  ];
}

/** Every command and subcommand in table order (subcommands right after their parent). */
export function allCommands(server: Server): Command[] {
  const out: Command[] = [];
  for (const c of server.table.all()) {
    out.push(c);
    if (c.subcommands) { for (const s of c.subcommands.values()) out.push(s); }
  }
  return out;
}

function commandStats(server: Server): string {
  let out = "";
  for (const c of allCommands(server)) {
    if (c.calls === 0 && c.failedCalls === 0 && c.rejectedCalls === 0) continue;
    const usec = Math.floor(c.usec);
    // Redis divides in single precision: (float)microseconds / calls.
    const per = c.calls === 0 ? 0 : Math.fround(Math.fround(usec) / Math.fround(c.calls));
    out += `cmdstat_${safe(c.name)}:calls=${c.calls},usec=${usec},usec_per_call=${
      per.toFixed(2)
    },rejected_calls=${c.rejectedCalls},failed_calls=${c.failedCalls}\r\n`;
  }
  return out;
}

// Redis keeps error codes in a radix tree, so they come out in byte order.
function errorStats(server: Server): string {
  let out = "";
  const codes = [...server.stats.errors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const code of codes) {
    out += `errorstat_${safe(code)}:count=${server.stats.errors.get(code)}\r\n`;
  }
  return out;
}

/** Formats a percentile as Redis's "%f" trimmed of trailing zeros (50, 99.9). */
export function percentileName(p: number): string {
  let s = p.toFixed(6);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

function latencyStats(server: Server): string {
  if (!server.config.bool("latency-tracking")) return "";
  const percentiles = server.latency.percentiles;
  let out = "";
  for (const c of allCommands(server)) {
    const h = c.histogram;
    if (h === undefined) continue;
    const parts = percentiles.map((p) =>
      `p${percentileName(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`
    );
    out += `latency_percentiles_usec_${safe(c.name)}:${parts.join(",")}\r\n`;
  }
  return out;
}

function keyspaceFields(server: Server): [string, InfoValue][] {
  const out: [string, InfoValue][] = [];
  for (const db of server.keyspace.dbs) {
    const keys = db.data.size;
    const expires = db.expires.size;
    if (keys === 0 && expires === 0) continue;
    out.push([`db${db.id}`, `keys=${keys},expires=${expires},avg_ttl=${Math.floor(db.avgTtl)}`]);
  }
  return out;
}
