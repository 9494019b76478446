// Reading the few git config values Lockstep honours, from the repository, global and XDG configs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GitRepo } from './repo.js';

/**
 * Values of `section.key` (or `section.subsection.key`) in file order (later wins): section and key
 * names case-insensitive, the subsection as written (`[remote "origin"]`; the old `[remote.origin]`
 * form lower-cased, as git does), quotes removed.
 */
function valuesIn(text: string, section: string, key: string, subsection: string | null): string[] {
  const out: string[] = [];
  let current = '';
  let currentSub: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+/, '');
    const head = /^\[\s*([^\]\s"]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (head) {
      const name = head[1]!;
      const dot = name.indexOf('.');
      if (head[2] !== undefined) [current, currentSub] = [name.toLowerCase(), head[2].replace(/\\(.)/g, '$1')];
      else if (dot > 0) [current, currentSub] = [name.slice(0, dot).toLowerCase(), name.slice(dot + 1).toLowerCase()];
      else [current, currentSub] = [name.toLowerCase(), null];
      continue;
    }
    if (current !== section || currentSub !== subsection) continue;
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line.replace(/\s*[#;].*$/, ''));
    if (kv && kv[1]!.toLowerCase() === key) out.push((kv[2] ?? 'true').trim().replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

/** The effective value of `section.key` (system, global, XDG, then repository config). */
export function configValue(repo: GitRepo, section: string, key: string): string | undefined {
  return configValues(repo, section, null, key).at(-1);
}

/**
 * Every value of `section.subsection.key` (null: no subsection) across the system, global, XDG and
 * repository configs, in git's order (later wins). `include` and `includeIf` are not followed.
 */
export function configValues(repo: GitRepo, section: string, subsection: string | null, key: string): string[] {
  const home = os.homedir();
  const files = ['/etc/gitconfig', path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'git', 'config'), path.join(home, '.gitconfig'), path.join(repo.commonDir, 'config')];
  const values: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EACCES') continue;
      throw err;
    }
    values.push(...valuesIn(text, section.toLowerCase(), key.toLowerCase(), subsection));
  }
  return values;
}

const GROUPS: Record<string, string[]> = {
  'loose-object': ['loose-object'],
  pack: ['pack'],
  'pack-metadata': ['pack-metadata'],
  'commit-graph': ['commit-graph'],
  index: ['index'],
  reference: ['reference'],
  objects: ['loose-object', 'pack'],
  'derived-metadata': ['pack-metadata', 'commit-graph'],
  committed: ['loose-object', 'pack', 'reference'],
  added: ['loose-object', 'pack', 'reference', 'index'],
  all: ['loose-object', 'pack', 'pack-metadata', 'commit-graph', 'index', 'reference'],
};

/** Which components git flushes for this repository (`core.fsync`; default: packs only). */
export function fsyncComponents(repo: GitRepo): Set<string> {
  const set = new Set(['pack', 'pack-metadata']);
  const value = configValue(repo, 'core', 'fsync');
  if (value !== undefined) {
    for (const word of value.split(',').map((w) => w.trim()).filter(Boolean)) {
      if (word === 'none') set.clear();
      else if (word.startsWith('-')) for (const c of GROUPS[word.slice(1)] ?? []) set.delete(c);
      else for (const c of GROUPS[word] ?? []) set.add(c);
    }
  }
  if (/^(true|yes|on|1)$/i.test(configValue(repo, 'core', 'fsyncObjectFiles') ?? '')) set.add('loose-object');
  return set;
}

/**
 * True when `gc.pruneExpire` is `now`: every `git gc` then deletes unreachable objects of any age,
 * including those a concurrent writer has written but not yet referenced.
 */
export function pruneExpiresNow(repo: GitRepo): boolean {
  return /^now$/i.test(configValue(repo, 'gc', 'pruneExpire') ?? '');
}
