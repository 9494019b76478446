// Short random ids (T-7K2M), collision-checked against the state inside the transaction.
// Randomness comes in as ctx.entropy so ops stay pure and replayable.
import { LockstepError } from '../../errors.js';

/** Crockford base32: no I, L, O, U, so ids survive being read aloud or retyped. */
export const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A small deterministic generator (splitmix32) seeded from the transaction's entropy string. */
export function idSource(entropy: string): () => number {
  let h = 2166136261 >>> 0;
  for (let i = 0; i < entropy.length; i++) h = Math.imul(h ^ entropy.charCodeAt(i), 16777619) >>> 0;
  let state = h;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Mint `<prefix>-XXXX` that `taken` says is free. Starts at `length` characters and grows after
 * repeated collisions, so a crowded id space degrades to longer ids, never to a failure loop.
 */
export function mintId(next: () => number, prefix: string, taken: (id: string) => boolean, length = 4): string {
  for (let len = length; len <= length + 4; len++) {
    for (let attempt = 0; attempt < 8; attempt++) {
      let body = '';
      for (let i = 0; i < len; i++) body += ID_ALPHABET[next() % 32];
      const id = `${prefix}-${body}`;
      if (!taken(id)) return id;
    }
  }
  throw new LockstepError('ID_SPACE_EXHAUSTED', `could not mint a free ${prefix} id; run \`lockstep doctor\``);
}
