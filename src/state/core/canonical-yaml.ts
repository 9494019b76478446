// The one YAML style Lockstep writes (sorted keys, block style, 2-space indent), with a small
// emitter and a parser for exactly that style. The `yaml` library costs ~80 us to parse and ~45 us
// to write a task file; these take a few. Correctness does not rest on this parser: codec.ts only
// trusts parse(text) when emit() of the result gives back the very same text, and the tests check
// that the `yaml` library reads every emitted document to the same value. Anything else (hand
// edits, other styles) goes through the `yaml` library.

/** Characters that never appear in a plain scalar we emit (indicators, quotes, controls, odd breaks). */
// eslint-disable-next-line no-control-regex
const PLAIN_BANNED = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff"'#[\]{}&*!|>%@`\\,<]|: |:$|\s$|[\ud800-\udfff]/;
const PLAIN_FIRST = /^[A-Za-z0-9_/(\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u2030-\u205e\u2060-\u2fff\u3001-\ud7ff\ue000-\ufffd]/;
const RESERVED = /^(?:null|Null|NULL|~|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
/** Anything that might read as a number in some YAML schema is quoted. */
const NUMERIC_ISH = /^[-+.]?[0-9][0-9a-fA-FxXoObB._:+-]*$/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;
// eslint-disable-next-line no-control-regex
const LITERAL_BANNED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\r]|[ \t]\n|[ \t]$|[\ud800-\udfff]/;

function isPlain(s: string): boolean {
  return s.length > 0 && PLAIN_FIRST.test(s) && !PLAIN_BANNED.test(s) && !RESERVED.test(s) && !NUMERIC_ISH.test(s);
}

function quoted(s: string): string {
  // JSON escapes are valid YAML double-quoted escapes; also escape what YAML may treat as breaks.
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function key(k: string): string {
  return isPlain(k) && !k.includes(':') ? k : quoted(k);
}

/** A scalar's text after `key: ` or `- `, possibly with literal block lines (content at `indent`). */
function scalar(v: unknown, indent: number, out: string[], head: string): boolean {
  if (v === null) out.push(`${head}null`);
  else if (typeof v === 'boolean') out.push(`${head}${v}`);
  else if (typeof v === 'number') {
    if (!Number.isFinite(v) || Object.is(v, -0)) return false;
    const text = String(v);
    if (!NUMBER.test(text)) return false;
    out.push(`${head}${text}`);
  } else if (typeof v === 'string') {
    if (isPlain(v)) out.push(`${head}${v}`);
    else if (v.includes('\n') && !v.startsWith('\n') && !/^[ \t]/.test(v) && !v.endsWith('\n\n') && !LITERAL_BANNED.test(v)) {
      const body = v.endsWith('\n') ? v.slice(0, -1) : v;
      out.push(`${head}${v.endsWith('\n') ? '|' : '|-'}`);
      const pad = ' '.repeat(indent);
      for (const line of body.split('\n')) out.push(line === '' ? '' : pad + line);
    } else out.push(`${head}${quoted(v)}`);
  } else return false;
  return true;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function emitMap(obj: Record<string, unknown>, indent: number, out: string[]): boolean {
  const pad = ' '.repeat(indent);
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    const head = `${pad}${key(k)}:`;
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${head} []`);
      else {
        out.push(head);
        if (!emitSeq(v, indent + 2, out)) return false;
      }
    } else if (isMap(v)) {
      if (Object.keys(v).length === 0) out.push(`${head} {}`);
      else {
        out.push(head);
        if (!emitMap(v, indent + 2, out)) return false;
      }
    } else if (!scalar(v, indent + 2, out, `${head} `)) return false;
  }
  return true;
}

function emitSeq(arr: unknown[], indent: number, out: string[]): boolean {
  const pad = ' '.repeat(indent);
  for (const item of arr) {
    if (Array.isArray(item)) return false; // nested sequences: left to the yaml library
    if (isMap(item)) {
      if (Object.keys(item).length === 0) out.push(`${pad}- {}`);
      else {
        const start = out.length;
        if (!emitMap(item, indent + 2, out)) return false;
        out[start] = `${pad}- ${out[start]!.slice(indent + 2)}`;
      }
    } else if (!scalar(item, indent + 2, out, `${pad}- `)) return false;
  }
  return true;
}

/** The canonical text of a document, or null when it holds something outside the style. */
export function emitCanonical(doc: unknown): string | null {
  if (!isMap(doc)) return null;
  if (Object.keys(doc).length === 0) return '{}\n';
  const out: string[] = [];
  return emitMap(doc, 0, out) ? `${out.join('\n')}\n` : null;
}

class Reject extends Error {}

/** Parse text in the canonical style; undefined when it is not in that style. */
export function parseCanonical(text: string): unknown {
  if (!text.endsWith('\n')) return undefined;
  if (text === '{}\n') return {};
  const lines = text.slice(0, -1).split('\n');
  let pos = 0;

  /** Leading spaces only: YAML indentation is spaces, and JS trimStart() would also eat NBSP. */
  const indentOf = (line: string) => {
    let i = 0;
    while (line.charCodeAt(i) === 32) i++;
    return i;
  };

  const keyAt = (line: string, at: number): { key: string; rest: string } => {
    let k: string;
    let i: number;
    if (line[at] === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(line.slice(at));
      if (!m) throw new Reject();
      k = JSON.parse(m[0]) as string;
      i = at + m[0].length;
    } else {
      const colon = line.indexOf(':', at);
      if (colon < 0) throw new Reject();
      k = line.slice(at, colon);
      i = colon;
    }
    if (line[i] !== ':') throw new Reject();
    if (i + 1 === line.length) return { key: k, rest: '' };
    if (line[i + 1] !== ' ') throw new Reject();
    return { key: k, rest: line.slice(i + 2) };
  };

  const value = (tok: string, contentIndent: number): unknown => {
    if (tok === '|-' || tok === '|') {
      const body: string[] = [];
      const pad = ' '.repeat(contentIndent);
      while (pos < lines.length) {
        const l = lines[pos]!;
        if (l === '') body.push('');
        else if (l.startsWith(pad)) body.push(l.slice(contentIndent));
        else break;
        pos++;
      }
      return body.join('\n') + (tok === '|' ? '\n' : '');
    }
    if (tok.startsWith('"')) return JSON.parse(tok);
    if (tok === '{}') return {};
    if (tok === '[]') return [];
    if (tok === 'null') return null;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (NUMBER.test(tok)) return Number(tok);
    return tok;
  };

  const nested = (indent: number): unknown => {
    const next = lines[pos];
    if (next === undefined || indentOf(next) !== indent) throw new Reject();
    return next.startsWith('- ', indent) ? seq(indent) : map(indent);
  };

  const map = (indent: number): Record<string, unknown> => {
    const obj: Record<string, unknown> = {};
    while (pos < lines.length) {
      const line = lines[pos]!;
      const ind = indentOf(line);
      if (ind < indent) break;
      if (ind > indent || line.startsWith('- ', indent)) throw new Reject();
      const { key: k, rest } = keyAt(line, indent);
      pos++;
      obj[k] = rest === '' ? nested(indent + 2) : value(rest, indent + 2);
    }
    return obj;
  };

  const seq = (indent: number): unknown[] => {
    const arr: unknown[] = [];
    while (pos < lines.length) {
      const line = lines[pos]!;
      if (indentOf(line) !== indent || !line.startsWith('- ', indent)) break;
      const rest = line.slice(indent + 2);
      if (/^(?:"(?:[^"\\]|\\.)*"|[^": ][^":]*):(?: |$)/.test(rest)) {
        lines[pos] = ' '.repeat(indent + 2) + rest; // `- key: v` opens a map one level in
        arr.push(map(indent + 2));
      } else {
        pos++;
        arr.push(value(rest, indent + 2));
      }
    }
    return arr;
  };

  try {
    const doc = map(0);
    return pos === lines.length ? doc : undefined;
  } catch (err) {
    if (err instanceof Reject || err instanceof SyntaxError) return undefined;
    throw err;
  }
}
