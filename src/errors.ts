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

/** `ERR unknown command 'foo', with args beginning with: 'a' 'b' ` (server.c: args listed until 128 bytes). */
export function unknownCommand(name: string, args: string[]): string {
  let list = "";
  for (let i = 0; i < args.length && list.length < 128; i++) {
    list += `'${args[i].slice(0, 128 - list.length)}' `;
  }
  return oneLine(`ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${list}`);
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
