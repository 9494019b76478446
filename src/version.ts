// The package version, read once from package.json (works from src/ under tsx and from dist/).
import fs from 'node:fs';

export const VERSION: string = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
