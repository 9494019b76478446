// The package version, read once from package.json: src/version.ts, a compiled dist/version.js or
// the bundle dist/cli/main.js all find it by walking up to the package root.
import fs from 'node:fs';

function readVersion(): string {
  for (let up = '../'; up.length < 16; up += '../') {
    const file = new URL(`${up}package.json`, import.meta.url);
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  throw new Error('package.json not found above the Lockstep code');
}

export const VERSION: string = readVersion();
