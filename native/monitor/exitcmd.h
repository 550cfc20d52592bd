/* The command a container's monitor runs after it has recorded the container's
 * exit (config.json annotation run.hutch.on-exit): hutch's restart policy. */
#ifndef HUTCH_EXITCMD_H
#define HUTCH_EXITCMD_H

/* cmd: argv, one per line (changed in place). Forks it in a session of its own,
 * stdio on /dev/null, and returns at once; nobody waits for it. Does nothing when
 * cond (a path, or NULL for always) names no file. */
void spawn_on_exit(char *cmd, const char *cond);

#endif
