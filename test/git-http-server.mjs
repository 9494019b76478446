// git's smart HTTP for tests: git http-backend (CGI) behind a Node server on 127.0.0.1, in its own
// process (the tests block their event loop in execFileSync while git talks to it). Serves the
// repositories under argv[2] (pushes allowed) on port argv[3] (0: any) and prints the port.
import { spawn } from 'node:child_process';
import http from 'node:http';

const [root, wantPort = '0'] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  const u = new URL(req.url ?? '/', 'http://127.0.0.1');
  const env = {
    ...process.env,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(u.pathname),
    QUERY_STRING: u.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: 'test',
    REMOTE_ADDR: '127.0.0.1',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
  };
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  const cgi = spawn('/usr/lib/git-core/git-http-backend', [], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headDone = false;
  cgi.stdout.on('data', (chunk) => {
    if (headDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const i = line.indexOf(':');
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (/^status$/i.test(k)) status = Number(v.split(' ')[0]);
      else res.setHeader(k, v);
    }
    res.statusCode = status;
    res.write(head.subarray(end + 4));
  });
  cgi.on('close', () => res.end());
});
server.listen(Number(wantPort), '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
