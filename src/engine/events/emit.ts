// The engine's verbs report what they did as docker's events (events/log.ts); one
// function per kind of object, with docker's attributes.
import type { ContainerInfo } from '../types.js';
import { appendEvent } from './log.js';

export function containerEvent(root: string, action: string, c: Pick<ContainerInfo, 'id' | 'name' | 'image'> & { spec?: { labels?: Record<string, string> } }, extra: Record<string, string | number | undefined> = {}, at?: number): void {
  appendEvent(root, 'container', action, c.id, { ...(c.spec?.labels ?? {}), image: c.image, name: c.name, ...extra }, at);
}

export function imageEvent(root: string, action: string, id: string, name?: string): void {
  appendEvent(root, 'image', action, id, { name });
}

export function networkEvent(root: string, action: string, id: string, name: string, container?: string): void {
  appendEvent(root, 'network', action, id, { name, type: 'bridge', container });
}

export function volumeEvent(root: string, action: string, name: string, container?: string): void {
  appendEvent(root, 'volume', action, name, { driver: 'local', container });
}
