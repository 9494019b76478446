// What every command shares: --json and --repo, the app for the repository, calling a use case as
// the person at the terminal, and one-line coded errors on stderr.
import path from 'node:path';
import { Command, Option, type BaseContext } from 'clipanion';
import { Lockstep } from '../app/lockstep.js';
import { parseRole } from '../app/session.js';
import type { Identity, UseCase } from '../app/use-case.js';
import { errorBody, type ErrorBody } from '../errors.js';
import { inCliWords } from './words.js';

/** clipanion's context, and where the command runs when the CLI is run in-process (tests). */
export interface CliContext extends BaseContext {
  cwd?: string;
}

/** The --as option of commands that act for someone. */
export const AS = { description: 'Act as this agent name (default LOCKSTEP_AGENT or "human")' };

export abstract class BaseCommand extends Command {
  json = Option.Boolean('--json', false, { description: 'Print machine-readable JSON' });
  repo = Option.String('--repo', { description: 'Repository directory (default: the current directory)' });

  abstract run(): Promise<number | void>;

  private app: Lockstep | undefined;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (err) {
      this.fail(errorBody(err));
      return 1;
    } finally {
      this.app?.close();
    }
  }

  /** The directory the command runs in: the process's, or the one a caller running the CLI in-process gives. */
  cwd(): string {
    return (this.context as CliContext).cwd ?? process.cwd();
  }

  /** A path the user typed, as they meant it: relative to where the command runs. */
  here(p: string): string {
    return path.resolve(this.cwd(), p);
  }

  /** --repo, else the working directory. */
  repoDir(): string {
    return this.repo === undefined ? this.cwd() : this.here(this.repo);
  }

  /** The app for --repo (or the cwd); closed when the command ends. */
  openApp(): Lockstep {
    this.app ??= new Lockstep({ dir: this.repoDir() });
    return this.app;
  }

  /** Who a person at the terminal acts as: LOCKSTEP_AGENT / LOCKSTEP_ROLE, else "human" with every role. */
  cliIdentity(as?: string): Identity {
    return { agent: as ?? process.env.LOCKSTEP_AGENT ?? 'human', role: process.env.LOCKSTEP_ROLE ? parseRole(process.env.LOCKSTEP_ROLE) : 'all' };
  }

  /** Run a use case on this repository as the person (or `as`), through the same door as every tool. */
  call<U extends UseCase>(useCase: U, input: Record<string, unknown>, as?: string): ReturnType<U['run']> {
    const who = this.cliIdentity(as);
    return this.openApp().call(useCase, input, { who, session: { ...who } }) as ReturnType<U['run']>;
  }

  /** A failure on stderr: one line `error[CODE]: message`, or with --json one JSON error object. */
  fail(error: ErrorBody): void {
    const body = { ...error, message: inCliWords(error.message) };
    this.context.stderr.write(this.json ? `${JSON.stringify({ error: body })}\n` : `error[${body.code}]: ${body.message}\n`);
  }

  print(json: unknown, human: string): void {
    this.context.stdout.write(this.json ? `${JSON.stringify(json, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`);
  }
}
