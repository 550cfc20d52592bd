/* Files the engine reads while the monitor may be writing them.
 *
 * The pid file is written whole or not at all: to FILE.tmp, then renamed.
 *
 * The exit file is FILE.lock renamed. The monitor creates FILE.lock before the
 * container exists and holds a POSIX write lock on it for its whole life:
 * while the lock is held the container has a live monitor, whatever the
 * engine's state says (a `hutch` killed between starting the monitor and
 * saving its state finds it again this way: F_GETLK names the holder's pid).
 * The file holds "<container-pid> <monitor-pid>\n" once the container runs.
 * At exit the status is written into the same file, whose block was
 * allocated at start, then fsynced and renamed to FILE: a full disk cannot
 * lose the exit status, and FILE appears whole or not at all. */
#ifndef HUTCH_EXITFILE_H
#define HUTCH_EXITFILE_H

#include <stdbool.h>
#include <sys/types.h>

/* Writes "<value>\n" atomically; with sync, fsync()s before the rename, so the
 * content is on disk before the name appears. 0 or -1 (errno). */
int write_file_atomic(const char *path, long long value, bool sync);

/* Creates and locks exit_path.lock, reserving its space. Returns the fd, or -1
 * (errno; EBUSY when another live monitor holds it). */
int exit_reserve(const char *exit_path);

/* "<pid> <monitor-pid>\n" into the reserved file. 0 or -1. */
int exit_record_pid(int fd, pid_t pid, pid_t monitor);

/* Writes "<status>\n" into the reserved file, fsyncs it and renames it to
 * exit_path. The lock goes with the process. 0 or -1. */
int exit_commit(int fd, const char *exit_path, int status);

#endif
