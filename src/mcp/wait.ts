// The MCP side of blocking tools (DESIGN 6): the capped timeout and progress notifications.
import type { WaitOptions } from '../app.js';
import type { ToolCtx } from './tool.js';

/** Wait options for a tool call: timeoutSec (server default when omitted) capped by the server max. */
export function waitOptions(ctx: ToolCtx, timeoutSec: number | undefined, what: string): WaitOptions & { timeoutSec: number } {
  const sec = Math.min(timeoutSec ?? ctx.waits.defaultSec, ctx.waits.maxSec);
  return {
    timeoutSec: sec,
    timeoutMs: sec * 1000,
    signal: ctx.signal,
    onProgress: (ms) => void ctx.progress(Math.round(ms / 1000), `waiting for ${what} (${Math.round(ms / 1000)} s)`),
  };
}
