// Runs many lockstep commands in one fresh process (for tests that need a real process with its
// own HOME, where a node start per command would cost ~0.3 s): argv lists as JSON on stdin, one
// {status, stdout, stderr, ms} per list as JSON on stdout.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';

const { runCli } = await import(pathToFileURL(process.argv[2]).href);

function collector() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const results = [];
for (const argv of JSON.parse(fs.readFileSync(0, 'utf8'))) {
  const stdout = collector();
  const stderr = collector();
  const started = Date.now();
  const status = await runCli(argv, { stdout: stdout.stream, stderr: stderr.stream, cwd: process.cwd() });
  results.push({ status, stdout: stdout.text(), stderr: stderr.text(), ms: Date.now() - started });
}
process.stdout.write(JSON.stringify(results));
