// Other engines' containers (runc, crun, docker, podman, containerd's) in the
// dashboard: shown beside hutch's own, never acted on by hutch's verbs. x, K and p
// on one of them offer that engine's own command instead, shown in a y/N question
// and run only after y (EngineApi.foreignCommand/actOnForeign); any other action
// on one says whose it is in the status line.
import type { ContainerInfo } from '../engine/types.js';
import type { BulkVerb } from './container-actions.js';
import type { UiContext } from './context.js';
import { errorLine } from './format.js';

type ForeignVerb = 'stop' | 'kill' | 'pause';

export class ForeignActions {
  constructor(private readonly ctx: UiContext) {}

  /** True when `list` is all hutch's; else the status line says whose the first other one is. */
  own(list: readonly ContainerInfo[]): boolean {
    const c = list.find((x) => x.engine);
    if (!c) return true;
    this.ctx.error(`${c.name} is ${c.engine}'s container: read-only in hutch (use ${c.engine}'s own command)`);
    return false;
  }

  /** x, K or p on one other engine's container: its question is asked (true); anything else is not for us (false). */
  offer(list: readonly ContainerInfo[], verb: BulkVerb): boolean {
    const c = list.length === 1 && list[0].engine ? list[0] : undefined;
    const fverb: ForeignVerb | undefined = verb === 'stop' || verb === 'kill' || verb === 'pause' ? verb : undefined;
    if (!c || !fverb) return false;
    void this.ask(c, fverb);
    return true;
  }

  /** Another engine's container: its own CLI's command, shown, run only after y. */
  private async ask(c: ContainerInfo, verb: ForeignVerb): Promise<void> {
    const { engine } = this.ctx;
    try {
      const v = verb === 'pause' && c.paused ? 'unpause' : verb;
      const cmd = await engine.foreignCommand(c.id, v);
      if ('refused' in cmd) {
        this.ctx.error(`${c.name} is ${c.engine}'s container: ${cmd.refused}`);
        return;
      }
      this.ctx.store.set({
        dialog: {
          kind: 'confirm',
          question: `${c.name} is ${c.engine}'s container. Run \`${cmd.argv.join(' ')}\`? y/N`,
          onYes: () =>
            void engine.actOnForeign(c.id, v).then(
              () => this.ctx.info(`${c.engine}: ${v} ${c.name}`),
              (e: unknown) => this.ctx.error(`${c.engine}: ${errorLine(e)}`),
            ),
        },
      });
    } catch (e) {
      this.ctx.error(errorLine(e));
    }
  }
}
