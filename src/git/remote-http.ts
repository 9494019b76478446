// One ref to and from an http(s) git remote through isomorphic-git's smart-HTTP transport, for
// machines without the git CLI (remote.ts picks it). The same contract as the CLI path: a push
// that is a compare-and-swap on the remote, a forced fetch into a local tracking ref, each bounded
// by a timeout. isomorphic-git only moves objects here; every ref is written by our own ref CAS.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { GitHttpRequest, HttpClient, PromiseFsClient } from 'isomorphic-git';
import { LockstepError } from '../errors.js';
import { commondirFs } from './commondir-fs.js';
import type { ObjectType } from './format.js';
import { isoGit } from './iso.js';
import { ObjectStore } from './objects.js';
import { compareAndSwapRef, deleteRefIf, readRef } from './refs.js';
import type { GitRepo } from './repo.js';

let httpClient: Promise<HttpClient> | undefined;
function nodeHttp(): Promise<HttpClient> {
  httpClient ??= import('isomorphic-git/http/node').then((m) => m.default);
  return httpClient;
}

/**
 * The fs isomorphic-git gets for a transfer. Its ref writes are dropped: it writes refs by
 * truncate-then-write (DESIGN 4), and it would write ones we do not want (after a push, a
 * branch-style `refs/remotes/<remote>/refs/lockstep/state`; after a fetch, whatever the
 * configured refspecs say). The caller sets the one ref it needs with our CAS. Every other write
 * (the fetched pack and its index) goes to a temp file renamed into place, so a reader in another
 * process never sees half a pack index (`tmp_` names are skipped by pack readers, ours and git's).
 */
function transferFs(repo: GitRepo): PromiseFsClient {
  const inner = commondirFs(repo).promises as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const refsDir = path.join(repo.commonDir, 'refs') + path.sep;
  const packedRefs = path.join(repo.commonDir, 'packed-refs');
  return {
    promises: {
      ...inner,
      writeFile: async (file: string, data: unknown, opts?: unknown) => {
        if (file.startsWith(refsDir) || file === packedRefs) return;
        const tmp = path.join(path.dirname(file), `tmp_lockstep_${process.pid}_${crypto.randomBytes(6).toString('hex')}`);
        await inner.writeFile!(tmp, data, opts);
        await fs.promises.rename(tmp, file);
      },
    },
  } as unknown as PromiseFsClient;
}

/** Runs `work` with an abort signal that fires after `timeoutMs`; REMOTE_UNREACHABLE then, even if the transfer ignores it. */
async function bounded<T>(remote: string, timeoutMs: number, work: (http: HttpClient) => Promise<T>): Promise<T> {
  const http = await nodeHttp();
  const abort = new AbortController();
  // Every HTTP request of the transfer gets the signal (isomorphic-git's fetch passes none).
  const client: HttpClient = { request: (req: GitHttpRequest) => http.request({ ...req, signal: abort.signal }) };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new LockstepError('REMOTE_UNREACHABLE', `remote ${remote} is unreachable (no answer within ${timeoutMs} ms)`, { remote, timeoutMs, timedOut: true, detail: '' }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(client), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a transfer fails with when the remote cannot be talked to: no answer, a refused or broken connection, an HTTP error, a garbled reply. */
const TRANSPORT = new Set([
  'HttpError', 'SmartHttpError', 'EmptyServerResponseError', 'ParseError', 'UnknownTransportError', 'UrlParseError', 'RemoteCapabilityError',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'ABORT_ERR', 'ERR_STREAM_PREMATURE_CLOSE',
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A transport failure is REMOTE_UNREACHABLE, as with the CLI; anything else is not ours to rename. */
function asLockstep(remote: string, timeoutMs: number, err: unknown): unknown {
  const e = err as { code?: string; name?: string; message?: string };
  if (err instanceof LockstepError || !(TRANSPORT.has(e.code ?? '') || e.name === 'AbortError')) return err;
  const detail = `${e.code ?? e.name}: ${e.message ?? String(err)}`.slice(0, 300);
  return new LockstepError('REMOTE_UNREACHABLE', `remote ${remote} is unreachable (${detail})`, { remote, timeoutMs, timedOut: false, detail, transport: 'isomorphic-git' });
}

export type HttpPushOutcome = { kind: 'ok' } | { kind: 'stale'; reason: string } | { kind: 'rejected'; reason: string };

/**
 * Push `oid` to `dst` at `url` only if the remote ref holds `expected` (null: absent). isomorphic-git
 * has no --force-with-lease, but it sends the ref's value from the advertisement it just read as
 * the old value of the update, and the remote's receive-pack applies the update only if the ref
 * still holds that old value, checked under its own ref lock. Refusing in onPrePush unless that
 * advertised value is `expected` makes the old value sent exactly `expected`: the same
 * compare-and-swap as the CLI's lease. `force` (republish) skips only the fast-forward check.
 */
export async function pushRefHttp(repo: GitRepo, remote: string, url: string, oid: string, dst: string, expected: string | null, timeoutMs: number, force: boolean): Promise<HttpPushOutcome> {
  const git = await isoGit();
  const zero = '0'.repeat(40);
  const seen: { tip?: string | null } = {};
  try {
    return await bounded(remote, timeoutMs, async (http) => {
      await git.push({
        fs: transferFs(repo),
        http,
        gitdir: repo.commonDir,
        url,
        remote,
        ref: oid,
        remoteRef: dst,
        force,
        onPrePush: ({ remoteRef }) => {
          seen.tip = remoteRef.oid === zero ? null : remoteRef.oid;
          return seen.tip === expected;
        },
      });
      return { kind: 'ok' as const };
    });
  } catch (err) {
    const e = err as { code?: string; data?: { result?: { refs?: Record<string, { ok: boolean; error?: string }> } }; message?: string };
    if (e.code === 'UserCanceledError') return { kind: 'stale', reason: `stale info (the remote is at ${seen.tip ?? 'nothing'}, not ${expected ?? 'nothing'})` };
    if (e.code === 'PushRejectedError') return { kind: 'stale', reason: e.message ?? 'rejected' };
    if (e.code === 'GitPushError') {
      const reason = e.data?.result?.refs?.[dst]?.error ?? e.message ?? 'refused';
      // Another pusher holding the remote's ref lock, or a tip that moved under the advertisement: both resolve by fetching.
      if (/lock|expected|failed to update ref|stale|non-fast-forward|fetch first/i.test(reason)) return { kind: 'stale', reason };
      return { kind: 'rejected', reason };
    }
    throw asLockstep(remote, timeoutMs, err);
  }
}

/**
 * Fetch `src` from `url` into the local `dst` (forced, as the CLI's `+src:dst`); the remote's tip,
 * or null when it has no such ref (then `dst` is deleted). The objects arrive as one pack; the
 * local state ref (or `dst` when it exists) is offered as what we have, so only new commits come.
 */
export async function fetchRefHttp(repo: GitRepo, remote: string, url: string, src: string, dst: string, timeoutMs: number): Promise<string | null> {
  const git = await isoGit();
  const have = readRef(repo, dst) !== null ? dst : src;
  let oid: string | null;
  try {
    oid = await bounded(remote, timeoutMs, async (http) => {
      const r = await git.fetch({ fs: transferFs(repo), http, gitdir: repo.commonDir, url, remote, ref: have, remoteRef: src, singleBranch: true, tags: false });
      // Where it wrote the pack (returned, though not in isomorphic-git's types), when one came.
      const pack = (r as { packfile?: string }).packfile;
      if (pack) await unpackSmall(repo, path.join(repo.commonDir, pack));
      return r.fetchHead;
    });
  } catch (err) {
    const e = err as { code?: string; data?: { what?: string } };
    if (e.code === 'NotFoundError' && e.data?.what === src) oid = null;
    else if (e.code === 'NoRefspecError') throw new LockstepError('GIT_IO', `remote ${remote} has no fetch refspec (remote.${remote}.fetch), which isomorphic-git needs; add one (\`lockstep sync --setup ${remote}\` where git exists)`, { remote });
    else throw asLockstep(remote, timeoutMs, err);
  }
  if (oid === null) {
    await deleteRefAny(repo, dst);
    return null;
  }
  await setRefAny(repo, dst, oid);
  return oid;
}

/** git's default `transfer.unpackLimit`: a fetched pack with fewer objects is stored as loose objects. */
const UNPACK_LIMIT = 100;

/**
 * Store a small fetched pack's objects loose and remove the pack, as git does (transfer.unpackLimit).
 * isomorphic-git writes one pack per fetch, and without the git CLI no `git gc` ever combines
 * them: a busy remote would leave thousands of tiny packs, each an open file and one more index
 * to search on every object lookup. Loose objects are written before the pack goes, so a reader
 * finds each object one way or the other throughout.
 */
async function unpackSmall(repo: GitRepo, packPath: string): Promise<void> {
  const idxPath = packPath.replace(/\.pack$/, '.idx');
  const idx = fs.readFileSync(idxPath);
  const count = idx.readUInt32BE(8 + 255 * 4);
  if (count >= UNPACK_LIMIT) return;
  const git = await isoGit();
  const objects = new ObjectStore(repo);
  const cache = {};
  for (let i = 0; i < count; i++) {
    const oid = idx.toString('hex', 8 + 1024 + i * 20, 8 + 1024 + i * 20 + 20);
    const o = await git.readObject({ fs: commondirFs(repo), gitdir: repo.commonDir, oid, format: 'content', cache });
    objects.write(o.type as ObjectType, Buffer.from(o.object as Uint8Array));
  }
  // The index first: a pack without one is never read.
  fs.rmSync(idxPath, { force: true });
  fs.rmSync(packPath, { force: true });
}

/** Point `ref` at `oid` whatever it held (a tracking ref mirrors the remote), under git's ref lock. */
export async function setRefAny(repo: GitRepo, ref: string, oid: string): Promise<void> {
  for (;;) {
    const cur = readRef(repo, ref);
    if (cur === oid || (await compareAndSwapRef(repo, ref, cur, oid))) return;
  }
}

/** Delete `ref` whatever it held. */
export async function deleteRefAny(repo: GitRepo, ref: string): Promise<void> {
  for (;;) {
    const cur = readRef(repo, ref);
    if (cur === null || (await deleteRefIf(repo, ref, cur))) return;
  }
}
