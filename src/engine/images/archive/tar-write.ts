// A minimal streaming ustar writer for image archives: regular files and directories
// with short names (`blobs/sha256/<hex>` is 77 bytes), root-owned, fixed mtime, so the
// same images always give the same archive. Its headers are tar-header.ts's in GNU
// tar's forms (base-256 sizes, no PAX), as save has always written them.
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { BLOCK, ustarHeader } from './tar-header.js';

/** One entry's header: `name` in UTF-8, at most 100 bytes (there are no PAX records here). */
export function tarHeader(name: string, size: number, type: 'file' | 'dir', mode = type === 'dir' ? 0o755 : 0o644): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > 100) throw new Error(`tar name too long: ${name}`);
  const f = { name: bytes.toString('latin1'), type: type === 'dir' ? '5' : '0', mode, uid: 0, gid: 0, size, mtimeSec: 0, uname: 'root', gname: 'root' };
  return ustarHeader(Buffer.alloc(BLOCK), f, { gnu: true });
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
