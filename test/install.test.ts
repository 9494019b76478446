// install/uninstall/status/init/enable/disable with a temporary HOME and repository, checked byte for byte.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import { CLI_PATH } from '../src/client/agent-client.js';
import { COORDINATION_BLOCK, removeTomlServer, setTomlServer, withBlock, withoutBlock } from '../src/setup/install.js';
import { ops } from '../src/state/ops/index.js';
import { git, makeRepo } from './helpers.js';
import { ctxFor, MemoryState } from './memory-state.js';

const NODE = fs.realpathSync(process.execPath);
const SCRIPT = fs.realpathSync(CLI_PATH);

const homes: string[] = [];
after(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

function tempHome(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-')));
  homes.push(dir);
  return dir;
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** The CLI with HOME/USERPROFILE pointing at a temp home, and no LOCKSTEP_* or CODEX_HOME from outside. */
function run(cwd: string, home: string, ...args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home };
  for (const k of Object.keys(env)) if (k.startsWith('LOCKSTEP_') || k === 'CODEX_HOME' || k === 'NO_COLOR') delete env[k];
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run): Run {
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}${r.stdout}`);
  return r;
}

function json(r: Run): any {
  return JSON.parse(ok(r).stdout);
}

function errCode(r: Run): string | undefined {
  assert.equal(r.status, 1, r.stdout);
  return /^error\[([A-Z_]+)\]/.exec(r.stderr)?.[1];
}

const read = (f: string) => fs.readFileSync(f, 'utf8');

const OTHER_MCP = `${JSON.stringify({ mcpServers: { other: { command: 'npx', args: ['-y', 'other-mcp'], env: { TOKEN: 'x' } } }, extra: [1, 2] }, null, 2)}\n`;

test('install --claude (project): .mcp.json at the repository root keeps other servers; second run and uninstall are byte-exact', () => {
  const home = tempHome();
  const repo = makeRepo();
  const file = path.join(repo, '.mcp.json');
  fs.writeFileSync(file, OTHER_MCP);
  // Run from a subdirectory: the file still goes to the repository root.
  const first = json(run(path.join(repo, 'src'), home, 'install', '--claude', '--json'));
  assert.deepEqual(first.results.map((r: any) => [r.agent, r.scope, r.file, r.action]), [['claude', 'project', file, 'created']]);
  const expected = JSON.parse(OTHER_MCP);
  expected.mcpServers.lockstep = { command: NODE, args: [SCRIPT, 'server'] };
  const installed = read(file);
  assert.equal(installed, `${JSON.stringify(expected, null, 2)}\n`);
  assert.deepEqual(Object.keys(JSON.parse(installed).mcpServers), ['other', 'lockstep']);
  assert.ok(!fs.existsSync(path.join(home, '.codex')), '--claude leaves Codex alone');

  const second = json(run(repo, home, 'install', '--claude', '--json'));
  assert.equal(second.results[0].action, 'unchanged');
  assert.equal(read(file), installed);

  const un = json(run(repo, home, 'uninstall', '--claude', '--json'));
  assert.equal(un.results[0].action, 'removed');
  assert.equal(read(file), OTHER_MCP);
  assert.equal(json(run(repo, home, 'uninstall', '--claude', '--json')).results[0].action, 'absent');
  assert.equal(read(file), OTHER_MCP);
});

test('install --claude --scope user: ~/.claude.json is created if missing and keeps every other key', () => {
  const home = tempHome();
  const repo = makeRepo();
  const file = path.join(home, '.claude.json');
  ok(run(repo, home, 'install', '--claude', '--scope', 'user'));
  assert.equal(read(file), `${JSON.stringify({ mcpServers: { lockstep: { command: NODE, args: [SCRIPT, 'server'] } } }, null, 2)}\n`);
  ok(run(repo, home, 'uninstall', '--claude', '--scope', 'user'));
  assert.equal(read(file), '{}\n', "~/.claude.json is Claude Code's own file: never deleted");

  const original = `${JSON.stringify({ numStartups: 4, projects: { '/x': { allowedTools: [] } }, mcpServers: { other: { command: 'o' } }, theme: 'dark' }, null, 2)}\n`;
  fs.writeFileSync(file, original);
  fs.chmodSync(file, 0o600);
  ok(run(os.tmpdir(), home, 'install', '--claude', '--scope', 'user', '--name', 'ls2', '--role', 'worker'));
  const doc = JSON.parse(read(file));
  assert.deepEqual(Object.keys(doc), ['numStartups', 'projects', 'mcpServers', 'theme']);
  assert.deepEqual(doc.mcpServers, { other: { command: 'o' }, ls2: { command: NODE, args: [SCRIPT, 'server', '--role', 'implementer'] } });
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'the mode of the file is kept');
  assert.ok(!fs.existsSync(path.join(repo, '.mcp.json')), 'user scope does not touch the project');
  ok(run(repo, home, 'uninstall', '--claude', '--scope', 'user', '--name', 'ls2'));
  assert.equal(read(file), original);
});

const CODEX_ORIGINAL = `# my codex config
model = "o3"  # inline comment

[mcp_servers.other]
# keep me
command = "other"
args = ["--x"]

[profiles.fast]
model = "gpt-5"
`;

test('L14: install --codex edits only [mcp_servers.lockstep]; comments and other tables keep their bytes; uninstall restores them', () => {
  const home = tempHome();
  const repo = makeRepo();
  const file = path.join(home, '.codex', 'config.toml');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, CODEX_ORIGINAL);
  const first = json(run(repo, home, 'install', '--codex', '--json'));
  assert.deepEqual(first.results.map((r: any) => [r.agent, r.file, r.action]), [['codex', file, 'created']]);
  const installed = read(file);
  assert.ok(installed.startsWith(`${CODEX_ORIGINAL}\n[mcp_servers.lockstep]\n`), installed);
  const doc = parseToml(installed) as any;
  assert.deepEqual({ ...doc.mcp_servers.lockstep }, { command: NODE, args: [SCRIPT, 'server'] });
  assert.deepEqual([...doc.mcp_servers.other.args], ['--x']);
  assert.equal(doc.profiles.fast.model, 'gpt-5');
  assert.ok(!fs.existsSync(path.join(repo, '.mcp.json')));

  assert.equal(json(run(repo, home, 'install', '--codex', '--json')).results[0].action, 'unchanged');
  assert.equal(read(file), installed);

  // Different flags: the table is rewritten in place, everything else untouched.
  const upd = json(run(repo, home, 'install', '--codex', '--json', '--role', 'reviewer'));
  assert.equal(upd.results[0].action, 'updated');
  assert.equal(read(file), installed.replace('"server" ]', '"server", "--role", "reviewer" ]'));

  ok(run(repo, home, 'uninstall', '--codex'));
  assert.equal(read(file), CODEX_ORIGINAL);
});

test('L14: Windows paths and quotes survive the TOML round trip (server flags through the CLI, and the pure edit)', () => {
  const home = tempHome();
  const repo = makeRepo();
  const file = path.join(home, '.codex', 'config.toml');
  const roots = String.raw`C:\Users\Ann "A" O'Neil\src,D:\work\[x]`;
  ok(run(repo, home, 'install', '--codex', '--mode', 'strict', '--roots', roots, '--command-mode', 'allowlist', '--command-allow', 'npm,git'));
  const doc = parseToml(read(file)) as any;
  assert.deepEqual([...doc.mcp_servers.lockstep.args], [SCRIPT, 'server', '--mode', 'strict', '--roots', roots, '--command-mode', 'allowlist', '--command-allow', 'npm,git']);
  assert.equal(json(run(repo, home, 'install', '--codex', '--json', '--mode', 'strict', '--roots', roots, '--command-mode', 'allowlist', '--command-allow', 'npm,git')).results[0].action, 'unchanged');
  ok(run(repo, home, 'uninstall', '--codex'));
  assert.ok(!fs.existsSync(file), 'a config.toml that held only our table is deleted');

  const entry = { command: String.raw`C:\Program Files\nodejs\node.exe`, args: [String.raw`C:\Users\a "b"\lockstep\dist\cli\main.js`, 'server'] };
  const crlf = CODEX_ORIGINAL.replace(/\n/g, '\r\n');
  for (const original of [CODEX_ORIGINAL, crlf, '']) {
    const next = setTomlServer('config.toml', original, 'lockstep', entry);
    const parsed = parseToml(next) as any;
    assert.equal(parsed.mcp_servers.lockstep.command, entry.command);
    assert.deepEqual([...parsed.mcp_servers.lockstep.args], entry.args);
    assert.equal(setTomlServer('config.toml', next, 'lockstep', entry), next);
    assert.equal(removeTomlServer('config.toml', next, 'lockstep'), original);
  }
});

test('install updates an old [mcp_servers.lockstep] in the middle of the file in place, keeping its extra keys', () => {
  const home = tempHome();
  const repo = makeRepo();
  const file = path.join(home, '.codex', 'config.toml');
  fs.mkdirSync(path.dirname(file));
  const before = '# top\n[mcp_servers.lockstep]\ncommand = "node"\nargs = ["old.js"]\n\n[mcp_servers.lockstep.env]\nA = "1"\n\n# about profiles\n[profiles.x]\nmodel = "m"\n';
  fs.writeFileSync(file, before);
  assert.equal(json(run(repo, home, 'install', '--codex', '--json')).results[0].action, 'updated');
  const after = read(file);
  assert.equal(
    after,
    `# top\n[mcp_servers.lockstep]\ncommand = ${JSON.stringify(NODE)}\nargs = [ ${JSON.stringify(SCRIPT)}, "server" ]\n\n[mcp_servers.lockstep.env]\nA = "1"\n\n# about profiles\n[profiles.x]\nmodel = "m"\n`,
  );
  ok(run(repo, home, 'uninstall', '--codex'));
  assert.equal(read(file), '# top\n\n# about profiles\n[profiles.x]\nmodel = "m"\n');
});

test('a symlinked config (dotfiles) is edited through the link, which stays', () => {
  const home = tempHome();
  const repo = makeRepo();
  const target = path.join(home, 'dotfiles', 'codex.toml');
  fs.mkdirSync(path.dirname(target));
  fs.writeFileSync(target, '');
  const link = path.join(home, '.codex', 'config.toml');
  fs.mkdirSync(path.dirname(link));
  fs.symlinkSync(target, link);
  ok(run(repo, home, 'install', '--codex'));
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  assert.match(read(target), /^\[mcp_servers\.lockstep\]\n/);
  ok(run(repo, home, 'uninstall', '--codex'));
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  assert.equal(read(target), '');
});

test('configs we cannot edit safely are refused with CONFIG_INVALID and left untouched', () => {
  const home = tempHome();
  const repo = makeRepo();
  const mcp = path.join(repo, '.mcp.json');
  fs.writeFileSync(mcp, '{ "mcpServers": { broken');
  assert.equal(errCode(run(repo, home, 'install', '--claude')), 'CONFIG_INVALID');
  assert.equal(read(mcp), '{ "mcpServers": { broken');

  const file = path.join(home, '.codex', 'config.toml');
  fs.mkdirSync(path.dirname(file));
  for (const text of ['mcp_servers.lockstep.command = "x"\n', '[mcp_servers]\nlockstep = { command = "x" }\n', 'model = \n']) {
    fs.writeFileSync(file, text);
    assert.equal(errCode(run(repo, home, 'install', '--codex')), 'CONFIG_INVALID', text);
    assert.equal(read(file), text);
  }
  fs.writeFileSync(file, 'mcp_servers.lockstep.command = "x"\n');
  assert.equal(errCode(run(repo, home, 'uninstall', '--codex')), 'CONFIG_INVALID');
  assert.equal(read(file), 'mcp_servers.lockstep.command = "x"\n');
});

test('install refuses bad server flags before writing anything', () => {
  const home = tempHome();
  const repo = makeRepo();
  for (const args of [['--mode', 'loose'], ['--roots', 'src'], ['--command-allow', 'npm'], ['--role', 'boss'], ['--name', 'a b'], ['--scope', 'global'], ['--disable-tools', 'no_such_tool']]) {
    assert.equal(errCode(run(repo, home, 'install', ...args)), 'INVALID_INPUT', args.join(' '));
  }
  assert.deepEqual(fs.readdirSync(home), []);
  assert.ok(!fs.existsSync(path.join(repo, '.mcp.json')));
});

test('the installed command runs from another directory (absolute node and script)', () => {
  const home = tempHome();
  const repo = makeRepo();
  ok(run(repo, home, 'install'));
  const claude = JSON.parse(read(path.join(repo, '.mcp.json'))).mcpServers.lockstep;
  const codex = (parseToml(read(path.join(home, '.codex', 'config.toml'))) as any).mcp_servers.lockstep;
  for (const entry of [claude, codex]) {
    assert.ok(path.isAbsolute(entry.command) && path.isAbsolute(entry.args[0]));
    const r = spawnSync(entry.command, [...entry.args, '--help'], { cwd: os.tmpdir(), encoding: 'utf8', timeout: 30_000, env: { PATH: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /lockstep server/);
  }
});

test('status reports both installs, the coordination block and the state ref, and keeps its old fields', () => {
  const home = tempHome();
  const repo = makeRepo();
  const before = json(run(repo, home, 'status', '--json'));
  for (const k of ['repo', 'gitDir', 'ref', 'format', 'projectStatus', 'tasks', 'leases', 'notes', 'agents', 'corrupt', 'lock']) assert.ok(k in before, k);
  assert.equal(before.refPresent, false);
  assert.deepEqual(before.install.map((i: any) => [i.agent, i.scope, i.installed]), [['claude', 'project', false], ['claude', 'user', false], ['codex', 'user', false]]);
  assert.deepEqual(before.coordination, []);

  ok(run(repo, home, 'install'));
  ok(run(repo, home, 'init'));
  ok(run(repo, home, 'task', 'create', '--title', 'one'));
  const after = json(run(repo, home, 'status', '--json'));
  assert.equal(after.refPresent, true);
  assert.equal(after.format, 1);
  assert.equal(after.openTasks, 1);
  assert.deepEqual(after.install.map((i: any) => [i.agent, i.scope, i.installed, i.runnable ?? null]), [['claude', 'project', true, true], ['claude', 'user', false, null], ['codex', 'user', true, true]]);
  assert.deepEqual(after.install[0].entry, { command: NODE, args: [SCRIPT, 'server'] });
  assert.deepEqual(after.coordination.map((b: any) => [path.basename(b.file), b.enabled, b.current]), [['CLAUDE.md', true, true]]);
  const human = ok(run(repo, home, 'status')).stdout;
  assert.match(human, /Codex +lockstep installed in /);
  assert.match(human, /Claude \(user\) +lockstep not installed/);

  // A broken config is reported in its row; status still works.
  fs.writeFileSync(path.join(home, '.claude.json'), '{');
  const broken = json(run(repo, home, 'status', '--json'));
  assert.equal(broken.install[1].error.code, 'CONFIG_INVALID');
});

test('init creates CLAUDE.md with the block and the state ref; a second run changes nothing; disable deletes the file it created', () => {
  const home = tempHome();
  const repo = makeRepo();
  const file = path.join(repo, 'CLAUDE.md');
  const r = json(run(repo, home, 'init', '--json'));
  assert.equal(r.file, file);
  assert.equal(r.action, 'created');
  assert.equal(r.state.created, true);
  assert.equal(read(file), `${COORDINATION_BLOCK}\n`);
  assert.match(git(repo, 'show', 'refs/lockstep/state:lockstep.yaml'), /format: 1/);
  const tip = git(repo, 'rev-parse', 'refs/lockstep/state');

  const again = json(run(repo, home, 'init', '--json'));
  assert.equal(again.action, 'unchanged');
  assert.equal(again.state.created, false);
  assert.equal(git(repo, 'rev-parse', 'refs/lockstep/state'), tip, 'no new state commit');
  assert.equal(read(file), `${COORDINATION_BLOCK}\n`);

  ok(run(repo, home, 'disable'));
  assert.ok(!fs.existsSync(file));
  assert.equal(git(repo, 'rev-parse', 'refs/lockstep/state'), tip, 'disable keeps the state');
});

test('state.init writes the default meta once and never touches an existing one', () => {
  const m = new MemoryState();
  const ctx = ctxFor('human', 'all');
  assert.deepEqual(m.run(ops.stateInit, {}, ctx), { created: true, format: 1 });
  assert.equal(m.commits, 1);
  assert.equal(m.state.meta().projectStatus, 'planning');
  m.run(ops.projectStatusSet, { status: 'in_progress' }, ctx);
  const commits = m.commits;
  assert.deepEqual(m.run(ops.stateInit, {}, ctx), { created: false, format: 1 });
  assert.equal(m.commits, commits);
  assert.equal(m.state.meta().projectStatus, 'in_progress');
});

test('L14: the block is short and correct: coordination_init, lockstep prompts --role, "don\'t use lockstep", no URLs', () => {
  assert.match(COORDINATION_BLOCK, /^<!-- lockstep:begin -->\n[\s\S]*\n<!-- lockstep:end -->$/);
  assert.match(COORDINATION_BLOCK, /`coordination_init`/);
  assert.match(COORDINATION_BLOCK, /lockstep prompts --role/);
  assert.match(COORDINATION_BLOCK, /don't use lockstep/);
  assert.doesNotMatch(COORDINATION_BLOCK, /https?:/);
  assert.ok(COORDINATION_BLOCK.length < 800);
});

test('enable appends to an existing CLAUDE.md after a blank line; disable restores the exact bytes', () => {
  const home = tempHome();
  const repo = makeRepo();
  const file = path.join(repo, 'CLAUDE.md');
  const original = '# Rules\n\nUse tabs.  \n\n\nTrailing text\n';
  fs.writeFileSync(file, original);
  fs.writeFileSync(path.join(repo, 'AGENTS.md'), 'agents\n');
  assert.equal(json(run(repo, home, 'enable', '--json')).action, 'appended');
  assert.equal(read(file), `${original}\n${COORDINATION_BLOCK}\n`);
  assert.equal(json(run(repo, home, 'enable', '--json')).action, 'unchanged');
  assert.equal(read(file), `${original}\n${COORDINATION_BLOCK}\n`);
  assert.equal(read(path.join(repo, 'AGENTS.md')), 'agents\n', 'only the first existing file');
  assert.equal(spawnSync('git', ['rev-parse', '--verify', '-q', 'refs/lockstep/state'], { cwd: repo }).status, 1, 'enable does not create the state ref');
  ok(run(repo, home, 'disable'));
  assert.equal(read(file), original);
  assert.equal(read(path.join(repo, 'AGENTS.md')), 'agents\n');
});

test('init uses AGENTS.md when there is no CLAUDE.md, and --file picks any file', () => {
  const home = tempHome();
  const repo = makeRepo();
  const agents = path.join(repo, 'AGENTS.md');
  fs.writeFileSync(agents, 'no newline at end');
  ok(run(path.join(repo, 'src'), home, 'init'));
  assert.equal(read(agents), `no newline at end\n\n${COORDINATION_BLOCK}\n`);
  assert.ok(!fs.existsSync(path.join(repo, 'CLAUDE.md')));
  ok(run(repo, home, 'disable'));
  assert.equal(read(agents), 'no newline at end\n');

  const custom = path.join(repo, 'docs', 'AI.md');
  fs.mkdirSync(path.dirname(custom));
  fs.writeFileSync(custom, 'x\n');
  ok(run(repo, home, 'enable', '--file', 'docs/AI.md'));
  assert.equal(read(custom), `x\n\n${COORDINATION_BLOCK}\n`);
  ok(run(repo, home, 'disable', '--file', 'docs/AI.md'));
  assert.equal(read(custom), 'x\n');
});

test('init --force rewrites an outdated block in place; without --force it is left alone', () => {
  const home = tempHome();
  const repo = makeRepo();
  const file = path.join(repo, 'CLAUDE.md');
  const old = 'head\n\n<!-- lockstep:begin -->\nold text\n<!-- lockstep:end -->\n\ntail\n';
  fs.writeFileSync(file, old);
  const plain = json(run(repo, home, 'init', '--json'));
  assert.deepEqual([plain.action, plain.current], ['present', false]);
  assert.equal(read(file), old);
  const forced = json(run(repo, home, 'init', '--force', '--json'));
  assert.deepEqual([forced.action, forced.current], ['updated', true]);
  assert.equal(read(file), `head\n\n${COORDINATION_BLOCK}\n\ntail\n`);
  assert.equal(json(run(repo, home, 'init', '--force', '--json')).action, 'unchanged');
  ok(run(repo, home, 'disable'));
  assert.equal(read(file), 'head\n\ntail\n');
});

test('the block edits are exact inverses, CRLF files included', () => {
  for (const original of ['', 'a\n', 'a\r\nb\r\n', '# t\n\n\n']) {
    const { text } = withBlock('F.md', original, false);
    assert.equal(withBlock('F.md', text, false).text, text);
    assert.equal(withoutBlock('F.md', text), original, JSON.stringify(original));
  }
  assert.equal(withBlock('F.md', 'a\r\n', false).text, `a\r\n\r\n${COORDINATION_BLOCK.replace(/\n/g, '\r\n')}\r\n`);
  assert.equal(withoutBlock('F.md', 'no block\n'), undefined);
});

test('install/uninstall/init/enable/disable/status --help print usage, exit 0 and write nothing', () => {
  const home = tempHome();
  const repo = makeRepo();
  for (const cmd of ['install', 'uninstall', 'init', 'enable', 'disable', 'status']) {
    const r = ok(run(repo, home, cmd, '--help'));
    assert.match(r.stdout, new RegExp(`lockstep ${cmd}`));
  }
  assert.deepEqual(fs.readdirSync(home), []);
  assert.deepEqual(fs.readdirSync(repo).sort(), ['.git', 'README.md', 'src']);
});

test('a project install says Claude Code will ask for approval; --approve approves it in .claude/settings.local.json, out of git, and uninstall takes it back', () => {
  const home = tempHome();
  const repo = makeRepo();
  const said = json(run(repo, home, 'install', '--claude', '--json'));
  assert.equal(said.approved, false);
  assert.match(ok(run(repo, home, 'install', '--claude')).stdout, /Pending approval.*--approve/);
  const settings = path.join(repo, '.claude', 'settings.local.json');
  fs.mkdirSync(path.dirname(settings));
  fs.writeFileSync(settings, `${JSON.stringify({ permissions: { allow: ['Bash(ls)'] } }, null, 2)}\n`);
  assert.equal(json(run(repo, home, 'install', '--claude', '--approve', '--json')).approved, true);
  assert.deepEqual(JSON.parse(read(settings)), { permissions: { allow: ['Bash(ls)'] }, enabledMcpjsonServers: ['lockstep'] });
  assert.equal(json(run(repo, home, 'install', '--claude', '--approve', '--json')).approved, true, 'idempotent');
  assert.deepEqual(JSON.parse(read(settings)).enabledMcpjsonServers, ['lockstep']);
  assert.equal(git(repo, 'status', '--porcelain', '--', '.claude'), '', 'the approval is not something to commit');
  ok(run(repo, home, 'uninstall', '--claude'));
  assert.deepEqual(JSON.parse(read(settings)), { permissions: { allow: ['Bash(ls)'] } }, 'only our approval goes');
});

test('plain uninstall removes our entries from every scope install writes, and names what it leaves', () => {
  const home = tempHome();
  const repo = makeRepo();
  ok(run(repo, home, 'install'));
  ok(run(repo, home, 'install', '--claude', '--scope', 'user'));
  // An entry install never writes: Claude Code's local scope (`claude mcp add` in a project).
  const user = path.join(home, '.claude.json');
  const doc = JSON.parse(read(user));
  doc.projects = { '/elsewhere/proj': { mcpServers: { lockstep: { command: 'node', args: ['x'] } } } };
  fs.writeFileSync(user, `${JSON.stringify(doc, null, 2)}\n`);
  const r = json(run(repo, home, 'uninstall', '--json'));
  assert.deepEqual(r.results.map((x: any) => [x.agent, x.scope, x.action]), [['claude', 'project', 'removed'], ['claude', 'user', 'removed'], ['codex', 'user', 'removed']]);
  assert.equal(JSON.parse(read(user)).mcpServers, undefined);
  assert.equal(fs.existsSync(path.join(repo, '.mcp.json')), false);
  assert.deepEqual(r.remaining.map((x: any) => x.remove), ['cd /elsewhere/proj && claude mcp remove lockstep -s local']);
  assert.match(ok(run(repo, home, 'uninstall')).stdout, /still there: lockstep in Claude Code local scope of \/elsewhere\/proj/);
  // Outside a repository: the user scope and Codex, no error about a missing repository.
  const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-out-')));
  ok(run(outside, home, 'install', '--claude', '--scope', 'user'));
  assert.deepEqual(json(run(outside, home, 'uninstall', '--json')).results.map((x: any) => [x.agent, x.scope, x.action]), [['claude', 'user', 'removed'], ['codex', 'user', 'absent']]);
});

const claude = spawnSync('claude', ['--version'], { encoding: 'utf8' }).status === 0 ? 'claude' : undefined;

test('the real Claude Code client sees lockstep connected, in a repository and in a folder that is not one', { skip: claude ? false : 'claude is not on PATH' }, () => {
  const home = tempHome();
  const repo = makeRepo();
  const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-out-')));
  const list = (cwd: string) => spawnSync(claude!, ['mcp', 'list'], { cwd, env: { ...process.env, HOME: home }, encoding: 'utf8', timeout: 120_000 }).stdout;
  ok(run(repo, home, 'install', '--claude'));
  assert.match(list(repo), /lockstep: .*Pending approval/);
  ok(run(repo, home, 'install', '--claude', '--approve'));
  assert.match(list(repo), /lockstep: .*Connected/);
  ok(run(outside, home, 'install', '--claude', '--scope', 'user'));
  assert.match(list(outside), /lockstep: .*Connected/);
});
