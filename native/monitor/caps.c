/* See caps.h. The table follows <linux/capability.h> up to CAP_CHECKPOINT_RESTORE
 * (40), the last one of kernel 6.x. */
#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

int cap_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (unsigned i = 0; i < ARRAY_LEN(cap_names); i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return (int)i;
	return -1;
}

int caps_drop_bounding(uint64_t keep)
{
	/* Walk up until the kernel says EINVAL: that is one past its last cap, so a
	 * kernel newer than our table still loses the capabilities we don't know. */
	for (int c = 0; c < 64; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				return 0;
			return -1;
		}
	}
	return 0;
}

int caps_apply(const struct capsets *c)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(c->effective >> (32 * i));
		data[i].permitted = (uint32_t)(c->permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(c->inheritable >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;
	for (int i = 0; i < 64; i++) {
		if (!(c->ambient & (1ULL << i)))
			continue;
		/* Like runc, a cap that cannot be ambient (not in both permitted and
		 * inheritable) is skipped rather than failing the container: the set
		 * can only end up smaller than asked, never larger. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0 && errno != EPERM && errno != EINVAL)
			return -1;
	}
	return 0;
}
