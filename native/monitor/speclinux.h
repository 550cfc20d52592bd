/* Reads linux.devices (path, type c|b|u|p, major, minor, fileMode, uid, gid)
 * and linux.sysctl (an object of string values, keys checked to be sysctl
 * names) into s. 0, or -1 with errno and *what naming the field. */
#ifndef HUTCH_SPECLINUX_H
#define HUTCH_SPECLINUX_H

#include "json.h"
#include "spec.h"

int spec_linux_extra(struct arena *a, const struct jv *lx, struct spec *s, const char **what);

#endif
