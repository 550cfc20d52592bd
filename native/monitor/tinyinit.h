/* `hutch-monitor init [--] COMMAND [ARG]...`: the container's pid 1 for
 * --init. The engine bind-mounts this (static) binary read-only at /dev/init
 * and makes the container's command `/dev/init init -- CMD...`. It forks the
 * command, forwards every signal it gets to it, reaps every zombie, and exits
 * with the command's status (128+N when killed by signal N). */
#ifndef HUTCH_TINYINIT_H
#define HUTCH_TINYINIT_H

int main_init(int argc, char **argv);

#endif
