// Reading and hashing an uncompressed layer on a second thread, ahead of the
// extracting one. SHA-256 of a 200 MiB layer costs about a third of extracting
// it; done here, on another core, it leaves the extracting thread only the
// parsing and the file writes.
//
// The two threads share a ring of buffers in a SharedArrayBuffer. The reader
// fills a slot, hashes exactly those bytes, then publishes it; the extractor
// parses the slot in place and hands it back. So the digest is of the very
// bytes that were extracted, with no copy. Both sides block in Atomics.wait:
// the extractor is a worker thread with nothing else to do meanwhile.
import { Worker } from 'node:worker_threads';

const SLOTS = 8;
const SLOT = 1 << 20;

// Int32 control words.
const PUBLISHED = 0; // slots filled (a sequence number)
const CONSUMED = 1; // slots handed back
const STATE = 2; // RUNNING, EOF, FAILED
const EVENT_R = 3; // bumped by the reader on every change (the extractor waits on it)
const EVENT_X = 4; // bumped by the extractor (the reader waits on it)
const CANCEL = 5;
const JOB = 6; // bumped by the extractor to start a job (the fd to read is in FD)
const READY = 7; // set by the reader once it runs
const FD = 8;
const CONTROL_WORDS = 10;

// STATE values; the reader sets 1 (end of file) or FAILED, written as numbers in its
// own source below.
const RUNNING = 0;
const FAILED = 2;

// Layout after the control words: slot lengths, the byte count (float64),
// the digest (32 bytes), an error message (1 KiB), the slots.
const LENS = CONTROL_WORDS * 4;
const TOTAL = LENS + SLOTS * 4;
const DIGEST = TOTAL + 8;
const MESSAGE = DIGEST + 32;
const DATA = MESSAGE + 1024;

export interface ReadResult {
  bytes: number;
  /** hex */
  digest: string;
}

/**
 * The reader thread's body. It is sent to the worker as source text
 * (Function#toString), so it uses only its parameters; the prelude in the
 * worker's code passes node:fs and createHash (a bundler never rewrites
 * requires that live in a string).
 */
function readerMain(fs: typeof import('node:fs'), createHash: typeof import('node:crypto').createHash, sab: SharedArrayBuffer, layout: number[]): void {
  const [SLOTS_, SLOT_, PUBLISHED_, CONSUMED_, STATE_, EVENT_R_, EVENT_X_, CANCEL_, JOB_, FD_, WORDS_, LENS_, TOTAL_, DIGEST_, MESSAGE_, DATA_] = layout;
  const ctl = new Int32Array(sab, 0, WORDS_);
  const lens = new Int32Array(sab, LENS_, SLOTS_);
  const bytes = new Uint8Array(sab);
  const publish = () => {
    Atomics.add(ctl, EVENT_R_, 1);
    Atomics.notify(ctl, EVENT_R_);
  };
  let job = 0;
  for (;;) {
    while (Atomics.load(ctl, JOB_) === job) Atomics.wait(ctl, JOB_, job);
    job = Atomics.load(ctl, JOB_);
    // The extracting thread's fd (fds belong to the process): read with
    // positions, never closed here.
    const fd = Atomics.load(ctl, FD_);
    try {
      const hash = createHash('sha256');
      let total = 0;
      for (let seq = 0; ; seq++) {
        // Wait for a free slot (or a cancel).
        for (;;) {
          if (Atomics.load(ctl, CANCEL_)) throw new Error('cancelled');
          const ev = Atomics.load(ctl, EVENT_X_);
          if (seq - Atomics.load(ctl, CONSUMED_) < SLOTS_) break;
          Atomics.wait(ctl, EVENT_X_, ev);
        }
        const slot = seq % SLOTS_;
        const view = new Uint8Array(sab, DATA_ + slot * SLOT_, SLOT_);
        let n = 0;
        while (n < SLOT_) {
          const r = fs.readSync(fd, view, n, SLOT_ - n, total + n);
          if (r === 0) break;
          n += r;
        }
        if (n === 0) break;
        hash.update(view.subarray(0, n));
        total += n;
        lens[slot] = n;
        Atomics.store(ctl, PUBLISHED_, seq + 1);
        publish();
        if (n < SLOT_) break;
      }
      new Float64Array(sab, TOTAL_, 1)[0] = total;
      bytes.set(hash.digest(), DIGEST_);
      Atomics.store(ctl, STATE_, 1);
    } catch (e) {
      const msg = Buffer.from(`${(e as NodeJS.ErrnoException).code ?? ''}\n${(e as Error).message}`.slice(0, 1000));
      bytes.fill(0, MESSAGE_, MESSAGE_ + 1024);
      bytes.set(msg, MESSAGE_);
      Atomics.store(ctl, STATE_, 2);
    }
    publish();
  }
}

/** A reading thread, started once per extracting thread and kept for the next layer. */
export class ReadAhead {
  private static shared: ReadAhead | undefined;
  private readonly sab = new SharedArrayBuffer(DATA + SLOTS * SLOT);
  private readonly ctl = new Int32Array(this.sab, 0, CONTROL_WORDS);
  private readonly worker: Worker;

  private constructor() {
    const layout = [SLOTS, SLOT, PUBLISHED, CONSUMED, STATE, EVENT_R, EVENT_X, CANCEL, JOB, FD, CONTROL_WORDS, LENS, TOTAL, DIGEST, MESSAGE, DATA];
    // __name: the helper tsx/esbuild's keepNames calls inside transpiled functions.
    const code = `const { workerData } = require('node:worker_threads');
const __name = (f) => f;
const ctl = new Int32Array(workerData.sab, 0, ${CONTROL_WORDS});
try {
  Atomics.store(ctl, ${READY}, 1);
  (${readerMain.toString()})(require('node:fs'), require('node:crypto').createHash, workerData.sab, workerData.layout);
} finally {
  Atomics.store(ctl, ${READY}, 2);
  Atomics.store(ctl, ${STATE}, ${FAILED});
  Atomics.add(ctl, ${EVENT_R}, 1);
  Atomics.notify(ctl, ${EVENT_R});
}`;
    this.worker = new Worker(code, { eval: true, workerData: { sab: this.sab, layout } });
    this.worker.unref();
  }

  static get(): ReadAhead {
    return (ReadAhead.shared ??= new ReadAhead());
  }

  /**
   * Reads the open file `fd` from offset 0 through the ring, calling `onChunk`
   * with each slot in order (valid only during the call). Throws what onChunk
   * throws (after stopping the reader) or the reader's error (with its code).
   */
  run(fd: number, onChunk: (chunk: Buffer) => void): ReadResult {
    const ctl = this.ctl;
    const bytes = new Uint8Array(this.sab);
    Atomics.store(ctl, FD, fd);
    Atomics.store(ctl, PUBLISHED, 0);
    Atomics.store(ctl, CONSUMED, 0);
    Atomics.store(ctl, STATE, RUNNING);
    Atomics.store(ctl, CANCEL, 0);
    // The reader starts on its own thread: give it a moment, but never wait forever.
    for (let waited = 0; Atomics.load(ctl, READY) === 0; waited += 10) {
      if (waited >= 10_000) throw new Error('the layer reader thread did not start');
      Atomics.wait(ctl, READY, 0, 10);
    }
    if (Atomics.load(ctl, READY) !== 1) throw new Error('the layer reader thread is gone');
    Atomics.add(ctl, JOB, 1);
    Atomics.notify(ctl, JOB);
    const lens = new Int32Array(this.sab, LENS, SLOTS);
    try {
      for (let seq = 0; ; seq++) {
        let state = RUNNING;
        for (;;) {
          const ev = Atomics.load(ctl, EVENT_R);
          if (Atomics.load(ctl, PUBLISHED) > seq) break;
          state = Atomics.load(ctl, STATE);
          if (state !== RUNNING) break;
          Atomics.wait(ctl, EVENT_R, ev);
        }
        if (Atomics.load(ctl, PUBLISHED) <= seq) {
          if (state === FAILED) {
            const end = bytes.indexOf(0, MESSAGE);
            const [code, ...msg] = Buffer.from(this.sab, MESSAGE, end - MESSAGE).toString('utf8').split('\n');
            throw Object.assign(new Error(msg.join('\n') || 'the layer reader thread failed'), code ? { code } : {});
          }
          return {
            bytes: new Float64Array(this.sab, TOTAL, 1)[0],
            digest: Buffer.from(this.sab, DIGEST, 32).toString('hex'),
          };
        }
        const slot = seq % SLOTS;
        onChunk(Buffer.from(this.sab, DATA + slot * SLOT, lens[slot]));
        Atomics.store(ctl, CONSUMED, seq + 1);
        Atomics.add(ctl, EVENT_X, 1);
        Atomics.notify(ctl, EVENT_X);
      }
    } catch (e) {
      this.stop();
      throw e;
    }
  }

  /** Stops the reader's current job and waits until it has let go of the ring. */
  private stop(): void {
    const ctl = this.ctl;
    Atomics.store(ctl, CANCEL, 1);
    Atomics.add(ctl, EVENT_X, 1);
    Atomics.notify(ctl, EVENT_X);
    for (;;) {
      const ev = Atomics.load(ctl, EVENT_R);
      if (Atomics.load(ctl, STATE) !== RUNNING) return;
      Atomics.wait(ctl, EVENT_R, ev, 1000);
    }
  }
}
