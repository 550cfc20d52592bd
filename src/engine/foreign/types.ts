// Containers that other engines run on this machine, found read-only (foreign/).

export type ForeignEngine = 'runc' | 'crun' | 'docker' | 'podman' | 'containerd' | 'kubernetes' | 'hutch-runc' | 'cri-o';

export interface ForeignContainer {
  id: string;
  engine: ForeignEngine;
  /** containerd's namespace, when it came from one. */
  namespace?: string;
  /** Its name when the engine's files say it (docker's config, the CRI's annotations), else ''. */
  name?: string;
  /** Init pid (0 when unknown) and its start time (/proc/PID/stat field 22; 0 when unknown). */
  pid: number;
  pidStartTime: number;
  created: string;
  bundle: string;
  rootfs: string;
  /** controller → directory, `unified` for cgroup2 (as ContainerInfo.cgroupPaths). */
  cgroupPaths: Record<string, string>;
  /** Where it was found: a state directory, or a cgroup directory. */
  source: string;
}
