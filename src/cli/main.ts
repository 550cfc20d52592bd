// Entry point of the CLI bundle (dist/hutch.cjs, run by bin/hutch.cjs). Keep the
// top level light: the dashboard is imported only when it opens.
import { main } from './cli.js';

export { main };

// `hutch logs … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
}

const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));

void main(process.argv.slice(2)).then(async (code) => {
  process.exitCode = code;
  // Exit once our output is flushed: an attached container, an exec'd command or
  // an engine watcher may still hold handles that would keep the process alive.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
});
