// A pure in-memory state for op tests: files by path, decoded exactly as the store would.
import assert from 'node:assert/strict';
import { parseInput } from '../src/app/lockstep.js';
import { decodeFile, decodeWritten, encodeFile, type Decoded } from '../src/state/core/codec.js';
import { LockstepError } from '../src/errors.js';
import type { Op } from '../src/state/core/op.js';
import type { Ctx } from '../src/state/core/ctx.js';
import { State, type Fold, type StateFiles } from '../src/state/core/state.js';
import type { z } from 'zod';

export class MemoryState implements StateFiles {
  readonly files = new Map<string, Decoded>();
  commits = 0;

  file(path: string): Decoded | undefined {
    return this.files.get(path);
  }

  *walk(dir: string): Iterable<string> {
    for (const p of [...this.files.keys()].sort()) if (p.startsWith(dir + '/')) yield p;
  }

  fold<T>(dir: string, fold: Fold<T>): T {
    return fold.combine([...this.walk(dir)].map((p) => fold.leaf(p, this.files.get(p)!)));
  }

  /** Put raw file text, as a hand edit would. */
  putText(path: string, text: string): void {
    this.files.set(path, decodeFile(path, text));
  }

  get state(): State {
    return new State(this);
  }

  /**
   * Write an entity as it is (null deletes), exactly as `run` applies one change, but with no op and no
   * commit: fixtures the way a finished op of another module, or a person, would have left them.
   */
  put(path: string, value: unknown): Decoded | undefined {
    if (value === null) {
      this.files.delete(path);
      return undefined;
    }
    // The store encodes to YAML and other processes decode it: check both paths agree.
    const viaYaml = decodeFile(path, encodeFile(path, value));
    const decoded = decodeWritten(path, value);
    this.files.set(path, decoded);
    if (JSON.stringify(viaYaml) !== JSON.stringify(decoded)) throw new Error(`decodeWritten disagrees with YAML for ${path}`);
    return decoded;
  }

  /** Run an op like the store does (minus git): validate input (INVALID_INPUT as the app), apply changes, count commits. */
  run<S extends z.ZodType, R>(op: Op<S, R>, input: z.input<S>, ctx: Ctx): R {
    const parsed = parseInput(op.input, input);
    const out = op.run(this.state, parsed, ctx);
    for (const c of out.changes) this.put(c.path, c.value);
    if (out.changes.length) this.commits++;
    return out.result;
  }
}

let seq = 0;
export function ctxFor(actor: string, role: Ctx['role'], now = Date.parse('2026-11-24T10:00:00.000Z')): Ctx {
  return { actor, role, now, entropy: `seed-${seq++}`, workTree: '/repo' };
}

/** Run a pure op call (or query) that must fail: a LockstepError is returned, anything else fails the test. */
export function errorOf(fn: () => unknown): LockstepError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LockstepError, `expected LockstepError, got ${err}`);
    return err;
  }
  assert.fail('expected an error');
}

/** The code of the LockstepError a pure op call (or query) must fail with. */
export const codeOf = (fn: () => unknown) => errorOf(fn).code;

/** The fields an INVALID_INPUT refusal names (the call must fail with exactly that code). */
export function invalidFields(fn: () => unknown): string[] {
  const err = errorOf(fn);
  assert.equal(err.code, 'INVALID_INPUT', err.message);
  return ((err.data?.issues ?? []) as { path: string }[]).map((i) => i.path);
}

/** Validate `raw` against a tool or query schema as the app does, for the refusals of invalidFields. */
export const validate = (schema: z.ZodType, raw: unknown) => () => parseInput(schema, raw);
