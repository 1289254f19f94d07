// The bitmaps family: implementation lands with issue 3.
import type { CommandSpec } from "./spec.ts";

/** bitmaps command specs. */
export const BITMAPS_COMMANDS: CommandSpec[] = [];
