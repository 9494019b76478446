// Lease path normalisation: `./src/a.ts`, `src//a.ts` and `<root>/src/a.ts` are one path.
import { DomainError } from './errors.js';

function invalid(path: string, why: string): DomainError {
  return new DomainError('INVALID_INPUT', `lock path ${JSON.stringify(path.slice(0, 200))} ${why}`, { path: path.slice(0, 200) });
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

/**
 * Canonical repo-relative form, or INVALID_INPUT for paths that leave the repository. Absolute paths
 * are accepted when they lie inside `root` (the caller's working tree).
 */
export function normalizeLockPath(path: string, root: string | null): string {
  if (path.length === 0 || path.length > 4096) throw invalid(path, 'must be 1 to 4096 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(path)) throw invalid(path, 'contains control characters');
  let p = path.replace(/\\/g, '/');
  if (isAbsolute(p)) {
    const r = root?.replace(/\\/g, '/').replace(/\/+$/, '');
    if (!r || (p !== r && !p.startsWith(r + '/'))) throw invalid(path, 'is outside the repository; use a path relative to the repository root');
    p = p.slice(r.length);
  }
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw invalid(path, 'leaves the repository');
      out.pop();
      continue;
    }
    out.push(seg);
  }
  if (out.length === 0) throw invalid(path, 'names the repository root; lock a file or folder inside it');
  if (out[0] === '.git') throw invalid(path, 'is inside .git');
  return out.join('/');
}
