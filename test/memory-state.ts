// A pure in-memory state for op tests: files by path, decoded exactly as the store would.
import { decodeFile, decodeWritten, encodeFile, type Decoded } from '../src/state/codec.js';
import type { Ctx, Op } from '../src/state/op.js';
import { State, type Fold, type StateFiles } from '../src/state/state.js';
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

  /** Run an op like the store does (minus git): validate input, apply changes, count commits. */
  run<S extends z.ZodType, R>(op: Op<S, R>, input: z.input<S>, ctx: Ctx): R {
    const parsed = op.input.parse(input);
    const out = op.run(this.state, parsed, ctx);
    for (const c of out.changes) {
      if (c.value === null) this.files.delete(c.path);
      else {
        // The store encodes to YAML and other processes decode it: check both paths agree.
        const viaYaml = decodeFile(c.path, encodeFile(c.path, c.value));
        this.files.set(c.path, decodeWritten(c.path, c.value));
        if (JSON.stringify(viaYaml) !== JSON.stringify(this.files.get(c.path))) throw new Error(`decodeWritten disagrees with YAML for ${c.path}`);
      }
    }
    if (out.changes.length) this.commits++;
    return out.result;
  }
}

let seq = 0;
export function ctxFor(actor: string, role: Ctx['role'], now = Date.parse('2026-11-24T10:00:00.000Z')): Ctx {
  return { actor, role, now, entropy: `seed-${seq++}`, workTree: '/repo' };
}
