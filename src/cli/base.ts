// What every command shares: --json and --repo, the app for the repository, calling a use case as
// the person at the terminal, and one-line coded errors on stderr.
import { Command, Option } from 'clipanion';
import { Lockstep } from '../app/lockstep.js';
import { parseRole } from '../app/session.js';
import type { Identity, UseCase } from '../app/use-case.js';
import { errorBody } from '../errors.js';

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
      const body = errorBody(err);
      this.context.stderr.write(`error[${body.code}]: ${body.message}\n`);
      return 1;
    } finally {
      this.app?.close();
    }
  }

  /** The app for --repo (or the cwd); closed when the command ends. */
  openApp(): Lockstep {
    this.app ??= new Lockstep({ dir: this.repo ?? process.cwd() });
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

  print(json: unknown, human: string): void {
    this.context.stdout.write(this.json ? `${JSON.stringify(json, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`);
  }
}
