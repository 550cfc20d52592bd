/* hutch's "copyup" mount option: docker's copy-up of a new, empty volume. */
#ifndef HUTCH_COPYUP_H
#define HUTCH_COPYUP_H

/* If the directory src (the bind's host source, any fd of it) is empty and
 * target (an fd of the destination, resolved inside the container's root) is
 * a directory, copies target's tree into src: files, directories, symlinks
 * (the link text as is), hardlinks within the tree, device nodes, fifos;
 * owners, modes (setuid bits too), xattrs of files and directories, mtimes.
 * target's own owner and mode go to src. A non-empty src is never written
 * (CVE-2020-1726). Every step is fd-relative and never follows a symlink, on
 * either side. Failure: child_failf("copyup", err, "<dest> (<what>)"). */
void copyup(int src, int target, const char *dest);

#endif
