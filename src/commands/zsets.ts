// The zsets family: implementation lands with issue 3.
import type { CommandSpec } from "./spec.ts";

/** zsets command specs. */
export const ZSETS_COMMANDS: CommandSpec[] = [];
