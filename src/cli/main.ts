// Entry point of the bundle (dist/hutch.js, run by bin/hutch.js). Keep the top
// level light: the engine and the dashboard are imported when first needed.
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

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Exit once our output is flushed: an attached container, an exec'd command or
// an engine watcher may still hold handles that would keep the process alive.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
