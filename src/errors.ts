// Every Redis-visible error text lives here. Handlers throw `ReplyError` with one of these;
// the encoder writes `-` + message + CRLF. Texts match Redis 7.0 byte for byte
// (server.c createSharedObjects, networking.c, t_string.c ...).

/** An error reply for the client. `message` holds the full text including its prefix. */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplyError";
  }
  /** The error code Redis counts in INFO errorstats (`ERR`, `WRONGTYPE` ...). */
  get code(): string {
    const sp = this.message.indexOf(" ");
    return sp < 0 ? this.message : this.message.slice(0, sp);
  }
}

/** A malformed request: replied as `-ERR Protocol error: ...`, then the connection closes. */
export class ProtocolError extends Error {
  constructor(detail: string) {
    super(`ERR Protocol error: ${detail}`);
    this.name = "ProtocolError";
  }
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const SYNTAX = "ERR syntax error";
export const NOT_INTEGER = "ERR value is not an integer or out of range";
export const NOT_FLOAT = "ERR value is not a valid float";
export const OVERFLOW = "ERR increment or decrement would overflow";
export const NO_SUCH_KEY = "ERR no such key";
export const INDEX_OUT_OF_RANGE = "ERR index out of range";
export const DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
export const TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
export const TIMEOUT_NEGATIVE = "ERR timeout is negative";
export const MULTI_NESTED = "ERR MULTI calls can not be nested";
export const EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
export const DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
export const WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
export const EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
export const READONLY = "READONLY You can't write against a read only replica.";
export const NOAUTH = "NOAUTH Authentication required.";
export const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
export const NOT_FLOAT_INCR = "ERR increment would produce NaN or Infinity";
export const STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
export const OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
export const SAME_OBJECT = "ERR source and destination objects are the same";
export const NOPROTO = "NOPROTO unsupported protocol version";
export const BIT_OUT_OF_RANGE = "ERR bit offset is not an integer or out of range";

/** `ERR wrong number of arguments for 'get' command` */
export function wrongArity(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

/**
 * `ERR unknown command 'foo', with args beginning with: 'a' 'b' `. Redis formats name and
 * args as C strings (each ends at its first NUL) and lists args until 128 bytes (server.c).
 */
export function unknownCommand(name: string, args: string[]): string {
  let list = "";
  for (let i = 0; i < args.length && list.length < 128; i++) {
    list += `'${cstr(args[i]).slice(0, 128 - list.length)}' `;
  }
  return oneLine(
    `ERR unknown command '${cstr(name).slice(0, 128)}', with args beginning with: ${list}`,
  );
}

// A byte string as C's %s sees it: up to the first NUL.
function cstr(s: string): string {
  const z = s.indexOf("\0");
  return z < 0 ? s : s.slice(0, z);
}

/** `ERR unknown subcommand 'foo'. Try CONFIG HELP.` */
export function unknownSubcommand(sub: string, cmd: string): string {
  return `ERR unknown subcommand '${clip(sub)}'. Try ${cmd.toUpperCase()} HELP.`;
}

/** `ERR invalid expire time in 'set' command` */
export function invalidExpire(name: string): string {
  return `ERR invalid expire time in '${name}' command`;
}

/** RESP2 subscribed-mode restriction. */
export function notAllowedInSubscribe(name: string): string {
  return `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

// Redis truncates echoed arguments to 128 bytes in error messages and replaces CR/LF
// (addReplyErrorLength) so the error stays one line.
function clip(s: string): string {
  return oneLine(s.length > 128 ? s.slice(0, 128) : s);
}

/** Replace CR and LF with spaces, as Redis does for every error reply. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, " ");
}

// Strings family (t_string.c).
export const DECREMENT_OVERFLOW = "ERR decrement would overflow";
export const LCS_NOT_STRINGS = "ERR The specified keys must contain string values";
export const LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX.";
export const LCS_EXCEEDS_PROTO =
  "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
export const LCS_NO_MEMORY = "ERR Insufficient memory, failed allocating transient memory for LCS";

// Keyspace and expire families (db.c, expire.c, object.c).
export const INVALID_CURSOR = "ERR invalid cursor";
export const INVALID_FIRST_DB = "ERR invalid first DB index";
export const INVALID_SECOND_DB = "ERR invalid second DB index";
/** getIntFromObjectOrReply's range error (MOVE, COPY ... DB). */
export const INT_OUT_OF_RANGE =
  "ERR value is out of range, value must between -2147483648 and 2147483647";
export const EXPIRE_NX_CONFLICT =
  "ERR NX and XX, GT or LT options at the same time are not compatible";
export const EXPIRE_GT_LT_CONFLICT = "ERR GT and LT options at the same time are not compatible";
export const LFU_NOT_SELECTED =
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/** `ERR Unsupported option foo` (EXPIRE family). */
export function unsupportedOption(opt: string): string {
  return oneLine(`ERR Unsupported option ${opt}`);
}

// Admin family (config.c, server.c, latency.c, debug.c).
export const SLOWLOG_COUNT = "ERR count should be greater than or equal to -1";
export const NO_CONFIG_FILE = "ERR The server is running without a config file";
export const GETKEYS_INVALID_COMMAND = "ERR Invalid command specified";
export const GETKEYS_NO_KEYS = "ERR The command has no key arguments";
export const GETKEYS_INVALID_NUMBER = "ERR Invalid number of arguments specified for command";
export const GETKEYS_INVALID_ARGS = "ERR Invalid arguments specified for command";
export const NO_SHUTDOWN_IN_PROGRESS = "ERR No shutdown in progress.";
export const SHUTDOWN_ERRORS = "ERR Errors trying to SHUTDOWN. Check logs.";
export const MONITOR_DENY_BLOCKING = "ERR MONITOR isn't allowed for DENY BLOCKING client";
export const POPULATE_NOT_POSITIVE = "ERR value is out of range, must be positive";
export const DEBUG_NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

/** `ERR Unknown option or number of arguments for CONFIG SET - 'foo'` */
export function configSetUnknown(name: string): string {
  return oneLine(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
}

/** `ERR CONFIG SET failed (possibly related to argument 'maxmemory') - reason` */
export function configSetFailed(name: string, reason: string): string {
  return oneLine(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`);
}

/** `ERR Rewriting config file: No such file or directory` */
export function rewriteFailed(reason: string): string {
  return oneLine(`ERR Rewriting config file: ${reason}`);
}

/** `ERR No samples available for event 'foo'` */
export function latencyNoSamples(event: string): string {
  return oneLine(`ERR No samples available for event '${event}'`);
}

/** addReplySubcommandSyntaxError: `ERR unknown subcommand or wrong number of arguments for 'x'. Try DEBUG HELP.` */
export function subcommandSyntax(sub: string, cmd: string): string {
  return oneLine(
    `ERR unknown subcommand or wrong number of arguments for '${
      sub.slice(0, 128)
    }'. Try ${cmd.toUpperCase()} HELP.`,
  );
}
