// clipanion's Cli with named placeholders: `--repo <dir>` in every usage and definition it prints.
import { Cli } from 'clipanion';

/** What an option's value is, in help and errors: `--repo <dir>` rather than clipanion's `--repo #0`. */
const PLACEHOLDERS: Record<string, string> = {
  '--repo': 'dir',
  '--title': 'text',
  '--description': 'text',
  '--feedback': 'text',
  '--summary': 'text',
  '--reason': 'text',
  '--message': 'text',
  '--contains': 'text',
  '--as': 'name',
  '--agent': 'name',
  '--owner': 'name',
  '--author': 'name',
  '--waiting-on': 'name',
  '--name': 'name',
  '--session': 'name',
  '--socket': 'name',
  '--limit': 'n',
  '--offset': 'n',
  '--implementers': 'n',
  '--gc-every': 'n',
  '--timeout-sec': 'sec',
  '--wait-default-sec': 'sec',
  '--wait-max-sec': 'sec',
  '--remote': 'name',
  '--remote-timeout-sec': 'sec',
  '--remote-mode': 'mode',
  '--setup': 'remote',
  '--prompt-delay-ms': 'ms',
  '--user-doc': 'file',
  '--lead-doc': 'file',
  '--file': 'file',
  '--dir': 'dir',
  '--task': 'id',
  '--entity': 'id',
  '--lease': 'id',
  '--depends-on': 'id',
  '--cursor': 'commit',
  '--into': 'branch',
  '--target': 'branch',
  '--planner-cmd': 'command',
  '--implementer-cmd': 'command',
  '--roots': 'paths',
  '--command-allow': 'programs',
  '--disable-tools': 'tools',
  '--path': 'path',
  '--tag': 'tag',
  '--op': 'op',
};

/** `--title #0` -> `--title <text>` (the option's placeholder, else its own name). */
export function namePlaceholders(text: string): string {
  return text.replace(/(--[a-z][a-z-]*)((?: #\d+)+)/g, (_, name: string, args: string) => {
    const placeholder = PLACEHOLDERS[name] ?? name.slice(2);
    return `${name}${args.replace(/ #\d+/g, ` <${placeholder}>`)}`;
  });
}

/** clipanion with named placeholders in every usage, option list and definition it prints. */
export class LockstepCli extends Cli {
  protected override getUsageByIndex(...args: Parameters<Cli['getUsageByIndex']>): ReturnType<Cli['getUsageByIndex']> {
    const u = super.getUsageByIndex(...args);
    return { usage: namePlaceholders(u.usage), options: u.options.map((o) => ({ ...o, definition: namePlaceholders(o.definition) })) };
  }
}
