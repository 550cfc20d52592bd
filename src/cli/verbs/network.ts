// hutch network SUBCOMMAND: create, ls, inspect, rm, prune (docker's words and shapes).
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { formatTable } from '../format/table.js';
import { dockerNetwork } from '../format/network.js';
import { eachName, keyValues } from '../each.js';
import { FORMAT_OPTION, printInspected } from '../format/inspect-output.js';
import { managementVerb } from './subcommands.js';
import type { NetworkInfo } from '../../engine/types.js';
import { GoStruct, GO_TYPE } from '../format/template/index.js';
import { goTimeString } from '../format/template/go-time.js';
import { parseListFormat, renderList } from '../format/template/list.js';
import { checkValues, labelMatcher, parseFilters, textMatcher } from '../filters.js';

const networkCreate: Verb = {
  name: 'network create',
  summary: 'Create a network',
  usage: '[OPTIONS] NETWORK',
  options: [
    { long: ['subnet'], kind: 'string', help: 'Subnet in CIDR format (e.g. 10.90.0.0/24)' },
    { long: ['gateway'], kind: 'string', help: "IPv4 gateway for the subnet (default: its first address)" },
    { long: ['internal'], kind: 'bool', help: 'Restrict external access to the network' },
    { long: ['label'], kind: 'list', value: 'list', help: 'Set metadata on a network (K=V)' },
    { long: ['driver'], short: 'd', kind: 'string', help: "Driver to manage the network (only 'bridge')" },
  ],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch network create app', 'hutch network create --subnet 10.90.0.0/24 --internal backend'],
  async run(ctx, p) {
    const driver = p.string('driver');
    if (driver !== undefined && driver !== 'bridge') throw new InvalidArgument(`plugin "${driver}" not found: only the bridge driver is supported`);
    const gateway = p.string('gateway');
    const subnet = p.string('subnet');
    if (gateway !== undefined && subnet === undefined) throw new InvalidArgument('every ip-range or gateway must have a corresponding subnet');
    const n = await (await ctx.engine()).createNetwork({ name: p.args[0], subnet, gateway, internal: p.bool('internal'), labels: keyValues(p.list('label'), 'label') });
    await ctx.out(`${n.id}\n`);
    return 0;
  },
};

/** One row of `network ls --format`: docker's network placeholders (and hutch's .Subnet). */
export class NetworkRow extends GoStruct {
  constructor(
    private readonly n: NetworkInfo,
    private readonly trunc: boolean,
  ) {
    super();
  }
  get [GO_TYPE]() {
    return '*network.networkContext';
  }
  get ID() {
    return this.trunc ? this.n.id.slice(0, 12) : this.n.id;
  }
  get Name() {
    return this.n.name;
  }
  get Driver() {
    return this.n.driver;
  }
  get Scope() {
    return 'local';
  }
  get IPv4() {
    return 'true';
  }
  get IPv6() {
    return 'false';
  }
  get Internal() {
    return String(this.n.internal);
  }
  get Subnet() {
    return this.n.subnet;
  }
  get Labels() {
    const l = this.n.labels ?? {};
    return Object.keys(l).sort().map((k) => `${k}=${l[k]}`).join(',');
  }
  Label(name: string) {
    return this.n.labels?.[name] ?? '';
  }
  get CreatedAt() {
    return goTimeString(this.n.created);
  }
}

const NETWORK_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS',
  CreatedAt: 'CREATED AT', Subnet: 'SUBNET',
};
const DEFAULT_NETWORK_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.Subnet}}\t{{.Internal}}';
/** docker's predefined networks; every other one is `type=custom`. */
const BUILTIN = new Set(['bridge', 'host', 'none']);

const networkLs: Verb = {
  name: 'network ls',
  summary: 'List networks',
  usage: '[OPTIONS]',
  options: [
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Only display network IDs' },
    { long: ['no-trunc'], kind: 'bool', help: 'Do not truncate the output' },
    { long: ['filter'], short: 'f', kind: 'list', value: 'filter', help: 'Provide filter values (name, id, label, driver, type=custom|builtin, scope)' },
    { long: ['format'], kind: 'string', help: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
  ],
  maxArgs: 0,
  async run(ctx, p) {
    const f = parseFilters(p.list('filter'), ['name', 'id', 'label', 'driver', 'type', 'scope']);
    checkValues(f, 'type', ['custom', 'builtin']);
    checkValues(f, 'scope', ['local', 'swarm', 'global']);
    const format = p.string('format');
    const fmt = format !== undefined && format !== '' && format !== 'table' && !p.bool('quiet') ? parseListFormat(format, DEFAULT_NETWORK_FORMAT) : undefined;
    const name = textMatcher(f.get('name'));
    const idMatch = textMatcher(f.get('id'));
    const label = labelMatcher(f.get('label'));
    const drivers = f.get('driver');
    const types = f.get('type');
    const scopes = f.get('scope');
    const nets = (await (await ctx.engine()).networks()).filter(
      (n) =>
        name(n.name) && idMatch(n.id) && label(n.labels) && (!drivers || drivers.includes(n.driver)) &&
        (!types || types.includes(BUILTIN.has(n.name) ? 'builtin' : 'custom')) && (!scopes || scopes.includes('local')),
    );
    const id = (s: string) => (p.bool('no-trunc') ? s : s.slice(0, 12));
    if (p.bool('quiet')) {
      await ctx.out(nets.map((n) => `${id(n.id)}\n`).join(''));
      return 0;
    }
    if (fmt) {
      await ctx.out(renderList(fmt, nets.map((n) => new NetworkRow(n, !p.bool('no-trunc'))), NETWORK_HEADERS));
      return 0;
    }
    const rows = nets.map((n) => [id(n.id), n.name, n.driver, 'local', n.subnet, n.internal ? 'true' : 'false']);
    await ctx.out(formatTable(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE', 'SUBNET', 'INTERNAL'], rows));
    return 0;
  },
};

const networkInspect: Verb = {
  name: 'network inspect',
  summary: 'Display detailed information on one or more networks (JSON)',
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  options: [FORMAT_OPTION],
  minArgs: 1,
  async run(ctx, p) {
    const engine = await ctx.engine();
    return printInspected(ctx, p.args, p.string('format'), async (ref) => dockerNetwork(await engine.inspectNetwork(ref)));
  },
};

const networkRm: Verb = {
  name: 'network rm',
  summary: 'Remove one or more networks (refused while a container is on it)',
  usage: 'NETWORK [NETWORK...]',
  options: [],
  minArgs: 1,
  async run(ctx, p) {
    const engine = await ctx.engine();
    return eachName(ctx, p.args, async (ref) => {
      await engine.removeNetwork(ref);
      await ctx.out(`${ref}\n`);
    });
  },
};

const networkPrune: Verb = {
  name: 'network prune',
  summary: 'Remove all unused user networks',
  usage: '[OPTIONS]',
  options: [{ long: ['force'], short: 'f', kind: 'bool', help: 'Do not prompt for confirmation (accepted; hutch never prompts here)' }],
  maxArgs: 0,
  async run(ctx) {
    const gone = await (await ctx.engine()).pruneNetworks();
    if (gone.length) await ctx.out(`Deleted Networks:\n${gone.map((n) => `${n}\n`).join('')}`);
    return 0;
  },
};

const networkConnect: Verb = {
  name: 'network connect',
  summary: 'Connect a container to a network (a running one gets the interface at once)',
  usage: '[OPTIONS] NETWORK CONTAINER',
  options: [
    { long: ['ip'], kind: 'string', help: 'IPv4 address (e.g. 10.78.0.10)' },
    { long: ['alias'], kind: 'list', value: 'list', help: 'Add a network-scoped alias for the container' },
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx, p) {
    const aliases = p.list('alias');
    await (await ctx.engine()).connectNetwork(p.args[0], p.args[1], { ip: p.string('ip'), ...(aliases.length ? { aliases } : {}) });
    return 0;
  },
};

const networkDisconnect: Verb = {
  name: 'network disconnect',
  summary: 'Disconnect a container from a network',
  usage: '[OPTIONS] NETWORK CONTAINER',
  options: [{ long: ['force'], short: 'f', kind: 'bool', help: 'Accepted for docker compatibility' }],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx, p) {
    await (await ctx.engine()).disconnectNetwork(p.args[0], p.args[1]);
    return 0;
  },
};

export const network: Verb = managementVerb(
  'network',
  'Manage networks (create, ls, inspect, rm, prune, connect, disconnect)',
  { create: networkCreate, ls: networkLs, list: networkLs, inspect: networkInspect, rm: networkRm, remove: networkRm, prune: networkPrune, connect: networkConnect, disconnect: networkDisconnect },
  ['hutch network create app', 'hutch run -d --network app --name db host sleep 1d', 'hutch network rm app'],
);
