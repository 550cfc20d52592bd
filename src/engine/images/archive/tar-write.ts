// A minimal streaming ustar writer for image archives: regular files and directories
// with short names (`blobs/sha256/<hex>` is 77 bytes), root-owned, fixed mtime, so the
// same images always give the same archive.
import fs from 'node:fs';
import type { Writable } from 'node:stream';

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

export function tarHeader(name: string, size: number, type: 'file' | 'dir', mode = type === 'dir' ? 0o755 : 0o644): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  if (size < 8 ** 11) h.write(octal(size, 12), 124, 'ascii');
  else {
    // GNU base-256 for sizes of 8 GiB and more.
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--, v >>= 8n) h[i] = Number(v & 0xffn);
  }
  h.write(octal(0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h[156] = type === 'dir' ? 0x35 : 0x30;
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

export class TarWriter {
  private error: Error | null = null;
  constructor(private readonly out: Writable) {
    out.on('error', (e) => (this.error ??= e));
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (this.out.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        this.out.off('drain', done);
        this.out.off('error', done);
        if (e) reject(e);
        else resolve();
      };
      this.out.on('drain', done);
      this.out.on('error', done);
    });
  }

  async dir(name: string): Promise<void> {
    await this.write(tarHeader(name.endsWith('/') ? name : `${name}/`, 0, 'dir'));
  }

  async bytes(name: string, data: Buffer): Promise<void> {
    await this.write(tarHeader(name, data.length, 'file'));
    await this.write(data);
    await this.pad(data.length);
  }

  /** Copies a file; its size must not change while it is read (blobs never do). */
  async file(name: string, file: string): Promise<void> {
    const size = fs.statSync(file).size;
    await this.write(tarHeader(name, size, 'file'));
    let n = 0;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      n += (chunk as Buffer).length;
      await this.write(chunk as Buffer);
    }
    if (n !== size) throw new Error(`${file} changed while it was archived`);
    await this.pad(size);
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest) await this.write(Buffer.alloc(BLOCK - rest));
  }

  /** Two zero blocks end the archive. */
  async end(): Promise<void> {
    await this.write(Buffer.alloc(BLOCK * 2));
  }
}
