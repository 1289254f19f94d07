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

/** `ERR Unsupported option foo` (EXPIRE family; %s stops at a NUL byte). */
export function unsupportedOption(opt: string): string {
  return oneLine(`ERR Unsupported option ${cstr(opt)}`);
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

// Hashes and sets families (t_hash.c, t_set.c).
export const HASH_NOT_INTEGER = "ERR hash value is not an integer";
export const HASH_NOT_FLOAT = "ERR hash value is not a float";
export const NAN_OR_INFINITY = "ERR value is NaN or Infinity";
export const OUT_OF_RANGE = "ERR value is out of range";
/** getPositiveLongFromObjectOrReply's default message (SPOP count), for parse errors too. */
export const MUST_BE_POSITIVE = "ERR value is out of range, must be positive";
/** getRangeLongFromObjectOrReply over -LONG_MAX..LONG_MAX (HRANDFIELD, SRANDMEMBER count). */
export const LONG_RANGE =
  "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
export const NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
export const NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";
export const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

// Sorted sets and geo families (t_zset.c, geo.c).
export const ZADD_XX_NX = "ERR XX and NX options at the same time are not compatible";
export const ZADD_GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
export const ZADD_INCR_PAIR = "ERR INCR option supports a single increment-element pair";
export const ZSCORE_NAN = "ERR resulting score is not a number (NaN)";
export const ZRANGE_NOT_FLOAT = "ERR min or max is not a float";
export const ZRANGE_NOT_LEX = "ERR min or max not valid string range item";
export const ZRANGE_LIMIT_RANK =
  "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
export const ZRANGE_WITHSCORES_BYLEX =
  "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
export const COUNT_NOT_POSITIVE = "ERR count should be greater than 0";
export const WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
export const GEO_UNSUPPORTED_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI";
export const GEO_NEED_RADIUS = "ERR need numeric radius";
export const GEO_RADIUS_NEGATIVE = "ERR radius cannot be negative";
export const GEO_NEED_WIDTH = "ERR need numeric width";
export const GEO_NEED_HEIGHT = "ERR need numeric height";
export const GEO_BOX_NEGATIVE = "ERR height or width cannot be negative";
export const GEO_BAD_MEMBER = "ERR could not decode requested zset member";
export const GEO_COUNT_POSITIVE = "ERR COUNT must be > 0";
export const GEO_ANY_NEEDS_COUNT = "ERR the ANY argument requires COUNT argument";

/** `ERR at least 1 input key is needed for 'zunionstore' command` */
export function zsetNeedsKey(name: string): string {
  return `ERR at least 1 input key is needed for '${name}' command`;
}

/** `ERR invalid longitude,latitude pair 200.000000,1.000000` (the numbers as C's %f). */
export function geoInvalidPair(lon: string, lat: string): string {
  return `ERR invalid longitude,latitude pair ${lon},${lat}`;
}

/** STORE with WITHDIST/WITHHASH/WITHCOORD (`what` is GEOSEARCHSTORE or the GEORADIUS form). */
export function geoStoreIncompatible(what: string): string {
  return `ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`;
}

/** GEOSEARCH without FROMMEMBER/FROMLONLAT; `cmd` is the name as the client typed it. */
export function geoNeedsFrom(cmd: string): string {
  return oneLine(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cmd}`);
}

/** GEOSEARCH without BYRADIUS/BYBOX; `cmd` is the name as the client typed it. */
export function geoNeedsBy(cmd: string): string {
  return oneLine(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${cmd}`);
}

// Bitmaps family (bitops.c). BIT_OUT_OF_RANGE above is the bit offset error.
export const BIT_VALUE_OUT_OF_RANGE = "ERR bit is not an integer or out of range";
export const BIT_ARG_NOT_BIT = "ERR The bit argument must be 1 or 0.";
export const BITOP_NOT_SINGLE_KEY = "ERR BITOP NOT must be called with a single source key.";
export const BITFIELD_INVALID_TYPE =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
export const BITFIELD_INVALID_OVERFLOW = "ERR Invalid OVERFLOW type specified";
export const BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand";

// HyperLogLog family (hyperloglog.c).
export const HLL_WRONGTYPE = "WRONGTYPE Key is not a valid HyperLogLog string value.";
export const HLL_INVALIDOBJ = "INVALIDOBJ Corrupted HLL object detected";
export const PFDEBUG_NO_KEY = "ERR The specified key does not exist";
export const PFDEBUG_NOT_SPARSE = "ERR HLL encoding is not sparse";

/** `ERR Unknown PFDEBUG subcommand 'foo'` */
export function pfdebugUnknownSubcommand(sub: string): string {
  return oneLine(`ERR Unknown PFDEBUG subcommand '${cstr(sub)}'`);
}

/** PFSELFTEST failures (`ERR TESTFAILED ...`). */
export function pfselftestFailed(detail: string): string {
  return `ERR TESTFAILED ${detail}`;
}

// Streams family (t_stream.c, blocked.c).
export const STREAM_ID_INVALID = "ERR Invalid stream ID specified as stream command argument";
export const XADD_ID_ZERO = "ERR The ID specified in XADD must be greater than 0-0";
export const XADD_ID_TOO_SMALL =
  "ERR The ID specified in XADD is equal or smaller than the target stream top item";
export const STREAM_EXHAUSTED =
  "ERR The stream has exhausted the last possible ID, unable to add more items";
export const STREAM_ELEMENTS_TOO_LARGE = "ERR Elements are too large to be stored";
export const MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0.";
export const XLIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0.";
export const MAXLEN_MINID_TOGETHER =
  "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
export const LIMIT_WITHOUT_STRATEGY =
  "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
export const LIMIT_WITHOUT_APPROX =
  "ERR syntax error, LIMIT cannot be used without the special ~ option";
export const XTRIM_NO_STRATEGY = "ERR syntax error, XTRIM must be called with a trimming strategy";
export const INVALID_START_ID = "ERR invalid start ID for the interval";
export const INVALID_END_ID = "ERR invalid end ID for the interval";
export const XREAD_UNBALANCED =
  "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
export const XREAD_GROUP_OPTION =
  "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
export const XREAD_NOACK_OPTION =
  "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
export const XREADGROUP_MISSING_GROUP = "ERR Missing GROUP option for XREADGROUP";
export const XREADGROUP_DOLLAR_ID =
  "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.";
export const XREAD_GT_ID =
  "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";
export const TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range";
export const XGROUP_KEY_REQUIRED =
  "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
export const BUSYGROUP = "BUSYGROUP Consumer Group name already exists";
export const ENTRIESREAD_INVALID = "ERR value for ENTRIESREAD must be positive or -1";
export const XSETID_SMALLER_THAN_TOP =
  "ERR The ID specified in XSETID is smaller than the target stream top item";
export const XSETID_SMALLER_THAN_MAXDEL =
  "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
export const XSETID_ENTRIES_ADDED_SMALL =
  "ERR The entries_added specified in XSETID is smaller than the target stream length";
export const ENTRIES_ADDED_NEGATIVE = "ERR entries_added must be positive";
export const XCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XCLAIM";
export const XCLAIM_IDLE = "ERR Invalid IDLE option argument for XCLAIM";
export const XCLAIM_TIME = "ERR Invalid TIME option argument for XCLAIM";
export const XCLAIM_RETRYCOUNT = "ERR Invalid RETRYCOUNT option argument for XCLAIM";
export const XAUTOCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XAUTOCLAIM";
export const XAUTOCLAIM_COUNT = "ERR COUNT must be > 0";
export const XAUTOCLAIM_NO_MEMORY =
  "ERR Insufficient memory, failed allocating transient memory, COUNT too high.";
export const STREAM_DELETED_WHILE_BLOCKED = "UNBLOCKED the stream key no longer exists";
export const GROUP_DELETED_WHILE_BLOCKED =
  "NOGROUP the consumer group this client was blocked on no longer exists";

/** `ERR Unrecognized XCLAIM option 'foo'` */
export function xclaimUnknownOption(opt: string): string {
  return oneLine(`ERR Unrecognized XCLAIM option '${cstr(opt)}'`);
}

/** `NOGROUP No such key 'k' or consumer group 'g'` (XPENDING, XCLAIM, XAUTOCLAIM). */
export function noGroup(key: string, group: string): string {
  return oneLine(`NOGROUP No such key '${cstr(key)}' or consumer group '${cstr(group)}'`);
}

/** The NOGROUP error of XREADGROUP. */
export function noGroupXreadgroup(key: string, group: string): string {
  return oneLine(
    `NOGROUP No such key '${cstr(key)}' or consumer group '${
      cstr(group)
    }' in XREADGROUP with GROUP option`,
  );
}

/** `NOGROUP No such consumer group 'g' for key name 'k'` (XGROUP, XINFO CONSUMERS). */
export function noSuchGroupForKey(group: string, key: string): string {
  return oneLine(`NOGROUP No such consumer group '${cstr(group)}' for key name '${cstr(key)}'`);
}

// --- persistence family (SAVE, BGSAVE, DUMP, RESTORE)
export const BGSAVE_IN_PROGRESS = "ERR Background save already in progress";
/** Redis's shared.err: a save that failed (details are in the log). */
export const ERR_PLAIN = "ERR";
export const BUSYKEY = "BUSYKEY Target key name already exists.";
export const RESTORE_INVALID_TTL = "ERR Invalid TTL value, must be >= 0";
export const RESTORE_INVALID_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0";
export const RESTORE_INVALID_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255";
export const DUMP_PAYLOAD_INVALID = "ERR DUMP payload version or checksum are wrong";
export const BAD_DATA_FORMAT = "ERR Bad data format";
export const DEBUG_RELOAD_SAVE_FAILED = "ERR Error trying to save the RDB dump, check server logs.";
export const DEBUG_RELOAD_LOAD_FAILED = "ERR Error trying to load the RDB dump, check server logs.";
export const LOADING = "LOADING Redis is loading the dataset in memory";
export const MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

// Lists family (t_list.c). LMPOP/BLMPOP reuse NUMKEYS_NOT_POSITIVE and COUNT_NOT_POSITIVE, LPOP's
// count MUST_BE_POSITIVE.
export const LPOS_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
export const LPOS_COUNT_NEGATIVE = "ERR COUNT can't be negative";
export const LPOS_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";

// SORT family (sort.c).
export const SORT_NOT_DOUBLE = "ERR One or more scores can't be converted into double";

// --- ACL family (src/acl/, src/commands/acl.ts, protected mode in server.ts)
export const DENIED_PROTECTED_MODE =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";
export const AUTH_NO_PASSWORD =
  "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
export const HELLO_NOAUTH =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
export const ACL_DEFAULT_UNDELETABLE = "ERR The 'default' user cannot be removed";
export const ACL_NO_FILE =
  "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";
export const ACL_SAVE_FAILED =
  "ERR There was an error trying to save the ACLs. Please check the server logs for more information";
export const ACL_GENPASS_BITS =
  "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096";

/** `ERR Unknown category 'x'` (ACL CAT; the name is clipped to 128 bytes). */
export function aclUnknownCategory(name: string): string {
  return oneLine(`ERR Unknown category '${cstr(name).slice(0, 128)}'`);
}

/** `ERR User 'x' not found` (ACL DRYRUN). */
export function aclUserNotFound(name: string): string {
  return oneLine(`ERR User '${cstr(name)}' not found`);
}

/** `ERR Command 'x' not found` (ACL DRYRUN). */
export function aclCommandNotFound(name: string): string {
  return oneLine(`ERR Command '${cstr(name)}' not found`);
}
export const ACL_USERNAME_SPACES = "ERR Usernames can't contain spaces or null characters";
export const NOPERM_KEY =
  "NOPERM this user has no permissions to access one of the keys used as arguments";
export const NOPERM_CHANNEL =
  "NOPERM this user has no permissions to access one of the channels used as arguments";

/** `NOPERM this user has no permissions to run the 'get' command` */
export function nopermCommand(name: string): string {
  return `NOPERM this user has no permissions to run the '${name}' command`;
}

/** EXEC's error for a queued command the ACL rules no longer allow; `reason` says why. */
export function nopermExec(reason: string): string {
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
}

/** `ERR Error in ACL SETUSER modifier 'x': <reason>` */
export function aclSetuserError(op: string, reason: string): string {
  return oneLine(`ERR Error in ACL SETUSER modifier '${cstr(op)}': ${reason}`);
}

/** `ERR Unmatched parenthesis in acl selector starting at '(x'.` */
export function aclUnmatchedParenthesis(arg: string): string {
  return oneLine(`ERR Unmatched parenthesis in acl selector starting at '${cstr(arg)}'.`);
}

// Functions (functions.c, function_lua.c). Texts without "ERR " are also raised inside Lua
// (FUNCTION LOAD's "Error registering functions: ERR ..."), so the prefix is added on reply.
export const FUNCTION_NOT_FOUND = "ERR Function not found";
export const FUNCTION_BAD_NUMKEYS = "ERR Bad number of keys provided";
export const FUNCTION_CODE_MISSING = "ERR Function code is missing";
export const FUNCTION_LIBRARY_NOT_FOUND = "ERR Library not found";
export const FUNCTION_LIST_NO_NAME = "ERR library name argument was not given";
export const FUNCTION_FLUSH_SYNTAX = "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
export const FUNCTION_RESTORE_POLICY =
  "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";
export const FUNCTION_PAYLOAD_INVALID = "ERR DUMP payload version or checksum are wrong";
export const FUNCTION_MISSING_METADATA = "Missing library metadata";
export const FUNCTION_INVALID_METADATA = "Invalid library metadata";
export const FUNCTION_NAME_TWICE = "Invalid metadata value, name argument was given multiple times";
export const FUNCTION_NO_LIBRARY_NAME = "Library name was not given";
/** Redis 7.0 gives this text for bad function names too. */
export const FUNCTION_BAD_NAME =
  "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
export const FUNCTION_NONE_REGISTERED = "No functions registered";
export const FUNCTION_DUPLICATE_IN_LIBRARY = "Function already exists in the library";
export const FUNCTION_NOT_A_FUNCTION = "given type is not a function";
export const FUNCTION_READ_TYPE_FAILED = "can not read data type";
export const FUNCTION_PAYLOAD_LOAD_FAILED = "Failed loading library payload";

/** `ERR Unknown option given: x` (FUNCTION LOAD). */
export function functionUnknownOption(opt: string): string {
  return oneLine(`ERR Unknown option given: ${cstr(opt)}`);
}

/** `ERR Unknown argument x` (FUNCTION LIST). */
export function functionUnknownArgument(arg: string): string {
  return oneLine(`ERR Unknown argument ${cstr(arg)}`);
}

/** `Invalid metadata value given: x` (a shebang part other than name=). */
export function functionBadMetadata(part: string): string {
  return `Invalid metadata value given: ${cstr(part)}`;
}

/** `Engine 'x' not found` */
export function functionEngineNotFound(engine: string): string {
  return `Engine '${engine}' not found`;
}

/** `Library 'x' already exists` (FUNCTION LOAD); RESTORE's join says it without quotes. */
export function functionLibraryExists(name: string, quoted: boolean): string {
  return quoted ? `Library '${name}' already exists` : `Library ${name} already exists`;
}

/** `Function x already exists` (a name another library registered). */
export function functionExists(name: string): string {
  return `Function ${cstr(name)} already exists`;
}

// --- maxmemory (store/evict.ts, OBJECT IDLETIME/FREQ)

/** A denyoom command (or anything inside MULTI) while memory cannot be freed below maxmemory. */
export const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
/** OBJECT IDLETIME under an LFU policy. */
export const LFU_SELECTED =
  "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

// --- aof (persistence/aof.ts, BGREWRITEAOF, BGSAVE while a rewrite runs)

/** BGREWRITEAOF while one runs. */
export const AOF_REWRITE_IN_PROGRESS =
  "ERR Background append only file rewriting already in progress";
/** BGREWRITEAOF that could not start (directory or INCR file could not be created). */
export const AOF_REWRITE_FAILED =
  "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
/** BGSAVE (without SCHEDULE) while an AOF rewrite runs. */
export const BGSAVE_CHILD_ACTIVE =
  "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";
/** CONFIG SET appendonly yes that could not start the first rewrite (the reason after "- "). */
export const AOF_ENABLE_FAILED = "Unable to turn on AOF. Check server logs.";

// --- replication (REPLICAOF, REPLCONF, SYNC/PSYNC, WAIT, min-replicas, stale data)
export const NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";
export const MASTERDOWN =
  "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
export const NOMASTERLINK = "NOMASTERLINK Can't SYNC while not connected with my master";
export const SYNC_PENDING_OUTPUT = "ERR SYNC and PSYNC are invalid with pending output";
export const WAIT_ON_REPLICA =
  "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.";
export const INVALID_MASTER_PORT = "ERR Invalid master port";
export const REPLICAOF_FROM_REPLICA = "ERR Command is not valid when client is a replica.";
export const REPLICA_KEYSPACE = "ERR Replica can't interact with the keyspace";
export const UNBLOCKED_ROLE_CHANGE =
  "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";
export const RDB_ONLY_RANGE = "ERR value is out of range, value must between 0 and 1";

/** `ERR Unrecognized REPLCONF option: x` */
export function replconfUnknown(opt: string): string {
  return oneLine(`ERR Unrecognized REPLCONF option: ${opt}`);
}

// tls/fuzz: TLS listeners (src/net/tls.ts, Server.listen and CONFIG SET tls-*).
/** CONFIG SET tls-* reason when the new TLS files cannot be used (config.c applyTlsCfg). */
export const TLS_UPDATE_FAILED = "Unable to update TLS configuration. Check server logs.";
/** CONFIG SET tls-port reason when the new port cannot be bound (config.c applyTLSPort). */
export const TLS_PORT_FAILED = "Unable to listen on this port. Check server logs.";
/** Logged when tls-* files are unusable at start-up; the server then exits. */
export const TLS_CONFIGURE_FAILED = "Failed to configure TLS. Check logs for more info.";

// replication 2: MISCONF for AOF write errors (server.c writeCommandsGetDiskErrorMessage,
// script.c scriptPrepareForRun).
/** `MISCONF Errors writing to the AOF file: <strerror>` */
export function misconfAof(strerror: string): string {
  return `MISCONF Errors writing to the AOF file: ${strerror}`;
}
/** The RDB variant a writable script gets (scriptPrepareForRun). */
export const MISCONF_SCRIPT =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";

// busy scripts: a script running past busy-reply-threshold (src/scripting/README.md;
// server.c shared.slowevalerr / slowscripterr, script.c scriptKill, script_lua.c).
/** Every command without allow_busy while an EVAL script is busy. */
export const BUSY_EVAL =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/** Every command without allow_busy while a function (FCALL) is busy. */
export const BUSY_FUNCTION =
  "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
/** SCRIPT KILL / FUNCTION KILL with no busy script. */
export const NOTBUSY = "NOTBUSY No scripts in execution right now.";
/** SCRIPT KILL / FUNCTION KILL once the busy script ran a write command. */
export const UNKILLABLE =
  "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
/** The error a killed script raises (its caller gets it with the script's position). */
export const SCRIPT_KILLED = "Script killed by user with SCRIPT KILL...";
