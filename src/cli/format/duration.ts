// Durations and statuses worded like docker (go-units HumanDuration).
import type { ContainerInfo } from '../../engine/types.js';

export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** "2 hours ago"; 'N/A' for an empty, unparsable or zero (1970) time, as docker does. */
export function timeAgo(time: string, now: Date): string {
  const t = Date.parse(time);
  if (!time || Number.isNaN(t) || t <= 0) return 'N/A';
  return `${humanDuration(now.getTime() - t)} ago`;
}

/** docker's " (healthy)", " (unhealthy)", " (health: starting)" after Up; '' without a check. */
function healthNote(c: ContainerInfo): string {
  if (!c.healthcheck) return '';
  const s = c.health?.Status ?? 'starting';
  return s === 'starting' ? ' (health: starting)' : ` (${s})`;
}

/** docker ps STATUS: "Created", "Up 5 minutes", "Exited (0) 3 seconds ago". */
export function containerStatus(c: ContainerInfo, now: Date): string {
  const since = (time: string) => {
    const t = Date.parse(time);
    return Number.isNaN(t) ? 0 : now.getTime() - t;
  };
  switch (c.status) {
    case 'running':
      return `Up ${humanDuration(since(c.startedAt || c.created))}${c.paused ? ' (Paused)' : healthNote(c)}`;
    case 'exited':
      // Waiting out its restart policy's delay: docker's "Restarting (1) 2 seconds ago".
      return `${c.restarting ? 'Restarting' : 'Exited'} (${c.exitCode ?? 0}) ${humanDuration(since(c.finishedAt || c.created))} ago`;
    case 'unknown':
      return 'Unknown';
    default:
      return 'Created';
  }
}
