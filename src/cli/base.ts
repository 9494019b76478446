// Shared CLI plumbing: --json and --repo on every command, and one-line coded errors on stderr.
import { Command, Option } from 'clipanion';
import { Lockstep } from '../app.js';
import { errorBody } from '../mcp/errors.js';
import type { Identity } from '../app.js';
import { parseRole } from '../mcp/roles.js';

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

  print(json: unknown, human: string): void {
    this.context.stdout.write(this.json ? `${JSON.stringify(json, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`);
  }
}

/** Left-aligned columns for terminal tables. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
