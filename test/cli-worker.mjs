// Runs lockstep commands in-process for test/helpers.ts cli(): the bundle is loaded once, each
// command gets its own runCli with the test's cwd, and the result goes back through the port
// while the test thread waits on the shared flag (cli() stays synchronous, like spawnSync).
import { Writable } from 'node:stream';
import { workerData } from 'node:worker_threads';

const { port, cliPath } = workerData;
const { runCli } = await import(cliPath);

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

port.on('message', async ({ argv, cwd, flag }) => {
  const stdout = collector();
  const stderr = collector();
  let status;
  try {
    status = await runCli(argv.length ? argv : ['--help'], { stdout: stdout.stream, stderr: stderr.stream, cwd });
  } catch (err) {
    stderr.stream.write(`cli-worker: ${err?.stack ?? err}\n`);
    status = -1;
  }
  port.postMessage({ status, stdout: stdout.text(), stderr: stderr.text() });
  const cell = new Int32Array(flag);
  Atomics.store(cell, 0, 1);
  Atomics.notify(cell, 0);
});
