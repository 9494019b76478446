// `lockstep doctor`: check the repository, the state ref, its format, corrupt files and stale locks.
import { Command } from 'clipanion';
import { doctorChecks } from '../../app/doctor.js';
import { BaseCommand } from '../base.js';
import { table } from '../format.js';

export class DoctorCommand extends BaseCommand {
  static override paths = [['doctor']];
  static override usage = Command.Usage({
    description: 'Diagnose the coordination state of this repository',
    details: 'Exits 1 when something needs fixing. Warnings (a stale lock, a corrupt file) name what to do.',
  });

  async run(): Promise<number> {
    const checks = await doctorChecks(this.repoDir());
    const human = table(checks.map((c) => [c.level, c.name, c.code ? `[${c.code}] ${c.detail}` : c.detail]));
    const ok = !checks.some((c) => c.level === 'fail');
    this.print({ ok, checks }, human);
    return ok ? 0 : 1;
  }
}
