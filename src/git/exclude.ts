// `<common dir>/info/exclude`: paths git status should not show in this clone (never committed, unlike .gitignore).
import fs from 'node:fs';
import path from 'node:path';

const done = new Set<string>();

/** Add `pattern` (like `.lockstep/`) to info/exclude unless it, or the same path written another way, is there. */
export function excludeLocally(commonDir: string, pattern: string): void {
  const key = `${commonDir}\0${pattern}`;
  if (done.has(key)) return;
  const file = path.join(commonDir, 'info', 'exclude');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const bare = pattern.replace(/^\//, '').replace(/\/$/, '');
  const same = new Set([bare, `/${bare}`, `${bare}/`, `/${bare}/`]);
  if (!text.split('\n').some((l) => same.has(l.trim()))) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${pattern}\n`);
  }
  done.add(key);
}
