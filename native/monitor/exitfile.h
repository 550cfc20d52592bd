/* Files the engine reads while the monitor may be writing them (exit file, pid
 * file) are written whole or not at all: to FILE.tmp, then renamed. */
#ifndef HUTCH_EXITFILE_H
#define HUTCH_EXITFILE_H

#include <stdbool.h>

/* Writes "<value>\n" atomically; with sync, fsync()s before the rename, so the
 * content is on disk before the name appears. 0 or -1 (errno). */
int write_file_atomic(const char *path, long long value, bool sync);

#endif
