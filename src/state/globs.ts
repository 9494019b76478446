// Lease patterns: a plain path leases that file or folder and everything below it; a glob
// (`*`, `?`, `**`) leases what it matches, and everything below a folder it matches. Overlap is decided exactly and symmetrically: two
// patterns overlap when some path matches both (`src/**` and `src/a.ts` conflict both ways).

/** `skip`: the start of `**\/`, which may match no folder at all (an epsilon over the next `n` tokens). */
type Token = { kind: 'char'; c: string } | { kind: 'one' } | { kind: 'star' } | { kind: 'globstar' } | { kind: 'skip'; n: number };

const GLOB_CHARS = /[*?]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/**
 * A pattern as an NFA over characters: state i = "matched tokens[0..i)". `**` followed by `/`
 * may also match zero folders (`src/**\/a.ts` matches `src/a.ts`).
 */
function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      while (pattern[i + 1] === '*') i++;
      if (pattern[i + 1] === '/') out.push({ kind: 'skip', n: 2 });
      out.push({ kind: 'globstar' });
    } else if (c === '*') out.push({ kind: 'star' });
    else if (c === '?') out.push({ kind: 'one' });
    else out.push({ kind: 'char', c });
  }
  return out;
}

/** What a pattern leases: what it matches and, for a folder, everything below it. */
function expand(pattern: string): Token[][] {
  const t = tokens(pattern);
  return [t, [...t, { kind: 'char', c: '/' }, { kind: 'globstar' }]];
}

/** States reachable without consuming a character (stars may match nothing; `**\/` may vanish). */
function closure(t: Token[], states: Iterable<number>): Set<number> {
  const out = new Set<number>();
  const stack = [...states];
  while (stack.length) {
    const s = stack.pop()!;
    if (out.has(s)) continue;
    out.add(s);
    const tok = t[s];
    if (!tok) continue;
    if (tok.kind === 'star' || tok.kind === 'globstar') stack.push(s + 1);
    if (tok.kind === 'skip') stack.push(s + 1, s + 1 + tok.n);
  }
  return out;
}

/** Where state s goes on symbol `sym` ('/' , a literal character, or OTHER: any other character). */
function step(t: Token[], s: number, sym: string): number[] {
  const tok = t[s];
  if (!tok) return [];
  switch (tok.kind) {
    case 'char':
      return tok.c === sym ? [s + 1] : [];
    case 'one':
      return sym === '/' ? [] : [s + 1];
    case 'star':
      return sym === '/' ? [] : [s];
    case 'globstar':
      return [s];
    case 'skip':
      return [];
  }
}

const OTHER = '\u0000';

/** True when some string is matched by both token lists (product of the two NFAs, breadth first). */
function intersects(a: Token[], b: Token[]): boolean {
  const alphabet = new Set<string>(['/', OTHER]);
  for (const t of [...a, ...b]) if (t.kind === 'char') alphabet.add(t.c);
  const key = (x: Set<number>, y: Set<number>) => `${[...x].sort((p, q) => p - q).join(',')}|${[...y].sort((p, q) => p - q).join(',')}`;
  const start: [Set<number>, Set<number>] = [closure(a, [0]), closure(b, [0])];
  const seen = new Set([key(...start)]);
  const queue = [start];
  while (queue.length) {
    const [x, y] = queue.shift()!;
    if (x.has(a.length) && y.has(b.length)) return true;
    for (const sym of alphabet) {
      const nx = closure(a, [...x].flatMap((s) => step(a, s, sym)));
      if (nx.size === 0) continue;
      const ny = closure(b, [...y].flatMap((s) => step(b, s, sym)));
      if (ny.size === 0) continue;
      const k = key(nx, ny);
      if (seen.has(k)) continue;
      seen.add(k);
      queue.push([nx, ny]);
    }
  }
  return false;
}

/** Some path is leased by both patterns. Symmetric. */
export function patternsOverlap(a: string, b: string): boolean {
  if (!isGlob(a) && !isGlob(b)) return a === b || a.startsWith(b + '/') || b.startsWith(a + '/');
  return expand(a).some((x) => expand(b).some((y) => intersects(x, y)));
}

/** The pattern leases this concrete path (a file path, as a commit touches it). */
export function patternCovers(pattern: string, path: string): boolean {
  if (!isGlob(pattern)) return path === pattern || path.startsWith(pattern + '/');
  const literal = tokens(path.replace(/[*?]/g, OTHER));
  return expand(pattern).some((t) => intersects(t, literal));
}
