// Which repository this server serves: the one it was started in (or --repo); else the first git
// repository among the client's MCP roots (roots/list, asked again on roots/list_changed); else the
// one coordination_init names. Until one is found the server keeps serving: tools/list and prompts
// work, and every tool answers NOT_A_GIT_REPO with what to do. Once found, it is kept.
import { fileURLToPath } from 'node:url';
import type { Lockstep } from '../app/lockstep.js';
import { isLockstepError, LockstepError } from '../errors.js';

export class Repository {
  private app: Lockstep | undefined;
  private looking: Promise<void> | undefined;

  constructor(
    /** Opens the app for a directory with this server's flags; NOT_A_GIT_REPO when it is in no repository. */
    private readonly open: (dir: string) => Lockstep,
    /** Where the server was started (for the error message). */
    private readonly startedIn: string,
    app: Lockstep | undefined,
    /** Runs once, when the repository is known (binding the identity given by flags). */
    private readonly onFound: (app: Lockstep) => Promise<void>,
  ) {
    this.app = app;
  }

  /**
   * After the handshake: bind the known repository, or look among the client's roots when it
   * lists them. Tool calls wait for this (ready) so none runs before the identity is bound.
   */
  start(listRoots: (() => Promise<{ roots: { uri: string }[] }>) | undefined): void {
    if (this.app) this.looking = this.onFound(this.app);
    else if (listRoots) void this.lookIn(listRoots);
  }

  /** Resolves once a lookup or binding in progress has finished. */
  async ready(): Promise<void> {
    await this.looking;
  }

  /** The app, once a lookup in progress has finished; NOT_A_GIT_REPO when there is still none. */
  async get(): Promise<Lockstep> {
    await this.looking;
    if (this.app) return this.app;
    throw new LockstepError(
      'NOT_A_GIT_REPO',
      `this server was started outside a git repository (${this.startedIn}) and the client named none among its workspace roots; start it in a repository (or with --repo DIR), open a repository in the client, or call coordination_init with repo: "<path of the repository>"`,
      { startedIn: this.startedIn },
    );
  }

  /** Look for a repository among the client's roots (file:// URIs), unless one is known. */
  lookIn(listRoots: () => Promise<{ roots: { uri: string }[] }>): Promise<void> {
    if (this.app) return Promise.resolve();
    const run = (async () => {
      const { roots } = await listRoots();
      for (const r of roots) {
        if (this.app) return;
        if (!r.uri.startsWith('file://')) continue;
        const found = this.tryOpen(fileURLToPath(r.uri));
        if (found) await this.found(found);
      }
    })();
    this.looking = run.catch((err: unknown) => {
      process.stderr.write(`lockstep: could not read the client's roots: ${(err as Error).message}\n`);
    });
    return this.looking;
  }

  /** The repository at `dir` (coordination_init's repo): used when none is known yet. */
  async use(dir: string): Promise<Lockstep> {
    await this.looking;
    if (this.app) return this.app;
    await this.found(this.open(dir));
    return this.app!;
  }

  private tryOpen(dir: string): Lockstep | undefined {
    try {
      return this.open(dir);
    } catch (err) {
      if (isLockstepError(err, 'NOT_A_GIT_REPO')) return undefined;
      throw err;
    }
  }

  private async found(app: Lockstep): Promise<void> {
    this.app = app;
    process.stderr.write(`lockstep: serving the repository ${app.repo.workTree ?? app.repo.commonDir}\n`);
    await this.onFound(app);
  }

  close(): void {
    this.app?.close();
  }
}
