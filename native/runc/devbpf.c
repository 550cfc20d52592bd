/* The device allow-list on cgroup v2 (v2 has no devices.allow): a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup, as
 * runc and crun do. The same generator as the engine's (addon/devices.cc), in
 * C and with runc's rule semantics: the rules are checked last to first and
 * the first that matches decides (a later rule overrides an earlier one, as
 * writing them to v1's devices.allow/deny in order does); none matching is a
 * deny. An allow rule matches when it grants all that is asked, a deny rule
 * when it names any of it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runc.h"

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i;
	memset(&i, 0, sizeof i);
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

/* Our access bits (1 r, 2 w, 4 m) as the kernel's BPF_DEVCG_ACC_*. */
static int acc_bits(int a)
{
	return ((a & 1) ? BPF_DEVCG_ACC_READ : 0) | ((a & 2) ? BPF_DEVCG_ACC_WRITE : 0) | ((a & 4) ? BPF_DEVCG_ACC_MKNOD : 0);
}

/* r2 = ctx->access_type; r3 = type; r4 = access; r5 = major; r6 = minor. */
static size_t program(const struct dev_rule *rules, size_t n, struct bpf_insn *p)
{
	size_t k = 0;
	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0);
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
	p[k++] = insn(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 0xffff);
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0);
	p[k++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, 4, 0, 0, 16);
	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 4, 0);
	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 6, 1, 8, 0);
	const int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
	for (size_t r = n; r-- > 0;) {
		const struct dev_rule *x = &rules[r];
		size_t jumps[4], nj = 0;
		if (x->type == 'c' || x->type == 'b') {
			jumps[nj++] = k;
			p[k++] = insn(BPF_JMP | BPF_JNE | BPF_K, 3, 0, 0, x->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
		}
		if (x->type != 'a' && x->major >= 0) {
			jumps[nj++] = k;
			p[k++] = insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)x->major);
		}
		if (x->type != 'a' && x->minor >= 0) {
			jumps[nj++] = k;
			p[k++] = insn(BPF_JMP | BPF_JNE | BPF_K, 6, 0, 0, (int32_t)x->minor);
		}
		int acc = acc_bits(x->access);
		if (x->allow && (acc & all) != all) {
			/* asked & ~granted must be nothing */
			p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 7, 4, 0, 0);
			p[k++] = insn(BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0, ~acc & all);
			jumps[nj++] = k;
			p[k++] = insn(BPF_JMP | BPF_JNE | BPF_K, 7, 0, 0, 0);
		} else if (!x->allow && (acc & all) != all) {
			/* asked & denied must be something */
			p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 7, 4, 0, 0);
			p[k++] = insn(BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0, acc);
			jumps[nj++] = k;
			p[k++] = insn(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 0, 0);
		}
		p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, x->allow ? 1 : 0);
		p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		for (size_t j = 0; j < nj; j++)
			p[jumps[j]].off = (int16_t)(k - jumps[j] - 1);
		/* A rule that matches everything decides everything: what follows
		 * would be unreachable, which the verifier refuses. */
		if (!nj)
			return k;
	}
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k;
}

int devbpf_attach(const char *dir, const struct dev_rule *rules, size_t n)
{
	struct bpf_insn *p = calloc(9 + 12 * n, sizeof *p);
	if (!p)
		return -1;
	size_t len = program(rules, n, p);
	int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		free(p);
		return -1;
	}
	static const char license[] = "Apache-2.0";
	union bpf_attr load;
	memset(&load, 0, sizeof load);
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uint64_t)(uintptr_t)p;
	load.insn_cnt = (uint32_t)len;
	load.license = (uint64_t)(uintptr_t)license;
	int pf = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load);
	int r = -1, e;
	if (pf >= 0) {
		union bpf_attr at;
		memset(&at, 0, sizeof at);
		at.target_fd = (uint32_t)cg;
		at.attach_bpf_fd = (uint32_t)pf;
		at.attach_type = BPF_CGROUP_DEVICE;
		at.attach_flags = BPF_F_ALLOW_MULTI;
		/* The attachment holds the program; it goes with the cgroup. */
		r = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &at, sizeof at);
	}
	e = errno;
	if (pf >= 0)
		close(pf);
	close(cg);
	free(p);
	errno = e;
	return r < 0 ? -1 : 0;
}
