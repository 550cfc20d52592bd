/* A container in its own user namespace (config.json: a "user" namespace with
 * linux.uidMappings and gidMappings; hutch's --userns=auto).
 *
 * The init is cloned with CLONE_NEWUSER together with its other namespaces,
 * so they all belong to the new user namespace (proc, sysfs, sethostname and
 * the network need that). It then waits on the report socket while the
 * monitor, still real root in the host's user namespace:
 *   1. writes its uid_map and gid_map (setgroups stays "allow": we write the
 *      maps with CAP_SETGID in the parent namespace, so setgroups() inside
 *      keeps working for process.user.additionalGids);
 *   2. builds the overlay detached, each lower layer an open_tree() clone
 *      idmapped to the new namespace (mount_setattr(MOUNT_ATTR_IDMAP)) and
 *      given as a "lowerdir+" fd (kernel >= 6.13): the image's root-owned
 *      files look root-owned inside, with no chown of any layer. Upper and
 *      work dirs are not idmapped (the engine chowns them to the mapped root
 *      at create), so what the container writes is owned by its host ids;
 *   3. for each bind entry of mounts[], clones the source idmapped the same
 *      way (volumes: a file root creates in one is owned by the range's base
 *      on the host); a source whose filesystem cannot be idmapped (EINVAL)
 *      is bound plainly by the init instead;
 *   4. sends these mounts over the socket, then "go".
 * Only the monitor can do 2 and 3: idmapping a mount needs CAP_SYS_ADMIN in
 * the user namespace of its filesystem, the host's. */
#ifndef HUTCH_USERNS_H
#define HUTCH_USERNS_H

#include <stddef.h>
#include <sys/types.h>

#include "spec.h"

/* Monitor side: steps 1-3 for child pid over sock. -1 with errno, *step and
 * what (a path or map) set. */
int userns_prepare(pid_t pid, const struct spec *s, const char *bundle, int sock, const char **step, char *what,
		   size_t whatlen);

/* Monitor side: lets the init go on (after net_make_links). 0 or -1. */
int userns_go(int sock);

/* Init side: waits for "go"; *root_tree gets the overlay (or -1), trees (an
 * array of s->nmounts, malloc'd) each entry's bind tree or -1. Reports and
 * exits on failure; exits quietly when the monitor went away. */
void userns_wait(int sock, const struct spec *s, int *root_tree, int **trees);

#endif
