// The fake engine's shells (EngineApi.openShell…): each echoes what is typed, as a
// terminal in cooked mode would, keeps its output as the monitor's backlog does
// (the last 64 KiB, sent to a client first), and ends at `exit` + Enter.
import { Conflict, NotFound } from '../../src/engine/errors.js';
import type { ShellConnection, ShellInfo } from '../../src/engine/types.js';

interface Client {
  data: (d: Buffer) => void;
  end: (code: number | null) => void;
}

export class FakeShell {
  backlog = '';
  line = '';
  size = { rows: 0, cols: 0 };
  readonly clients = new Set<Client>();
  ended = false;
  constructor(
    readonly info: ShellInfo,
    readonly containerId: string,
  ) {}

  /** Output from the "shell" to every client (tests call it too). */
  output(s: string): void {
    this.backlog = (this.backlog + s).slice(-(64 << 10));
    for (const c of this.clients) c.data(Buffer.from(s, 'utf8'));
  }

  input(s: string): void {
    for (const ch of s) {
      if (ch === '\r') {
        this.output('\r\n');
        const cmd = this.line.trim();
        this.line = '';
        if (cmd === 'exit') return this.end(0);
        if (cmd === 'stty size') this.output(`${this.size.rows} ${this.size.cols}\r\n`);
        this.output('$ ');
      } else {
        this.line += ch;
        this.output(ch);
      }
    }
  }

  end(code: number): void {
    this.ended = true;
    for (const c of this.clients) c.end(code);
    this.clients.clear();
  }
}

export class FakeShells {
  readonly all = new Map<string, FakeShell>();
  private next = 1000;

  open(containerId: string): ShellInfo {
    const info = { name: `exec-${this.next}`, monitorPid: this.next++ };
    const sh = new FakeShell(info, containerId);
    this.all.set(info.name, sh);
    sh.output('$ ');
    return info;
  }

  list(containerId: string): ShellInfo[] {
    return [...this.all.values()].filter((s) => s.containerId === containerId && !s.ended).map((s) => s.info);
  }

  private live(containerId: string, name: string): FakeShell {
    const sh = this.all.get(name);
    if (!sh || sh.containerId !== containerId || sh.ended) throw new NotFound(`shell ${name}: it has ended`);
    return sh;
  }

  connect(containerId: string, name: string): ShellConnection {
    const sh = this.live(containerId, name);
    // The backlog first, then what comes; kept until the caller listens, as the real client does.
    const early: Buffer[] = sh.backlog ? [Buffer.from(sh.backlog, 'utf8')] : [];
    const client: Client = { data: (d) => void early.push(d), end: () => {} };
    sh.clients.add(client);
    return {
      write: (d) => sh.input(d.toString()),
      resize: (rows, cols) => void (sh.size = { rows, cols }),
      onData: (f) => {
        client.data = f;
        for (const d of early.splice(0)) f(d);
      },
      onEnd: (f) => void (client.end = f),
      close: () => void sh.clients.delete(client),
    };
  }

  end(containerId: string, name: string): void {
    const sh = this.all.get(name);
    if (!sh || sh.containerId !== containerId) throw new Conflict(`no such shell: ${name}`);
    if (!sh.ended) sh.end(129);
  }
}
