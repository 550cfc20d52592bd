/* The container's own session keyring. Without one, a container shares the
 * kernel keyring of whoever started it: a key added inside shows in the host's
 * `keyctl show @s`, and the host's session keys can be read back inside. The
 * container init (and every exec'd process) joins a new anonymous session
 * keyring before execve, as runc does by default (runc's --no-new-keyring is
 * the opt-out). */
#ifndef HUTCH_KEYRING_H
#define HUTCH_KEYRING_H

/* 0, or -1 with errno. A kernel without keys (ENOSYS) counts as done. */
int keyring_new_session(void);

#endif
