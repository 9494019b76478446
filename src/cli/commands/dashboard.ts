// `lockstep dashboard`: serve the live dashboard of this repository until Ctrl-C (or say where the running one is).
import { Command, Option } from 'clipanion';
import { openInBrowser, runningDashboard } from '../../app/dashboard-process.js';
import { startDashboard } from '../../dashboard/server.js';
import { LockstepError } from '../../errors.js';
import { AS, BaseCommand } from '../base.js';

export class DashboardCommand extends BaseCommand {
  static override paths = [['dashboard']];
  static override usage = Command.Usage({
    description: 'Serve the live web dashboard of this repository (Ctrl-C to stop)',
    details:
      'Prints the URL with a token that is new at every start; nothing is served without it. Binds 127.0.0.1 unless --host says otherwise (then --token is required). ' +
      'Actions taken in the page are state commits authored by --as (default LOCKSTEP_AGENT or "human"). If a dashboard of this repository already runs, prints its URL instead. docs/dashboard.md has the API.',
    examples: [
      ['Serve on http://127.0.0.1:8787', '$0 dashboard'],
      ['A free port, opened in the browser', '$0 dashboard --port 0 --open'],
    ],
  });

  port = Option.String('--port', { description: 'Port (default 8787; 0 picks a free one)' });
  host = Option.String('--host', { description: 'Address to bind (default 127.0.0.1)' });
  token = Option.String('--token', { description: 'A fixed token (16+ letters, digits, _ or -); needed with --host' });
  open = Option.Boolean('--open', false, { description: 'Open the page in the browser' });
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    const port = this.port === undefined ? 8787 : Number(this.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new LockstepError('INVALID_INPUT', `--port must be a port number 0-65535, not "${this.port}"`, { issues: [{ path: 'port', message: 'not a port' }] });
    const app = this.openApp();
    const dir = app.repo.workTree ?? app.repo.commonDir;
    const running = await runningDashboard(app.repo);
    if (running) {
      this.print({ url: running.url, running: true, pid: running.pid }, `${running.url}\n(already running, pid ${running.pid})`);
      if (this.open && !openInBrowser(running.url, dir)) this.context.stderr.write('no xdg-open here: open the URL yourself\n');
      return 0;
    }
    const d = await startDashboard({ dir: this.repoDir(), port, host: this.host, token: this.token, as: this.as ?? process.env.LOCKSTEP_AGENT });
    this.print({ url: d.url, running: false, pid: process.pid }, d.url);
    this.context.stderr.write(`lockstep dashboard for ${dir}; Ctrl-C to stop\n`);
    if (this.open && !openInBrowser(d.url, dir)) this.context.stderr.write('no xdg-open here: open the URL yourself\n');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await d.close();
    return 0;
  }
}
