// The device allow-list on cgroup v2: v2 has no devices.allow file; the kernel
// asks a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead
// (what runc and crun do). Without it a container's root, which keeps
// CAP_MKNOD as in docker, could mknod and open the host's disks. On a hybrid
// host the program is attached to the container's unified cgroup as well: the
// kernel then checks both it and the v1 devices controller.
//
// attachDeviceFilter(dir, rules): rules are v1-style strings ("c 1:3 rwm",
// "c 136:* rwm", "b *:* m"); everything else is denied.
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "addon.h"
#include "errors.h"

namespace hutch {

namespace {

struct Rule {
  int type;        // BPF_DEVCG_DEV_CHAR / BPF_DEVCG_DEV_BLOCK, or 0 for 'a' (any)
  long major = -1;  // -1: any
  long minor = -1;
  int access = 0;  // BPF_DEVCG_ACC_* bits
};

bool ParseNum(const std::string& s, long& out) {
  if (s == "*") return out = -1, true;
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  out = std::stol(s);
  return true;
}

bool ParseRule(const std::string& s, Rule& r) {
  // "<type> <major>:<minor> <access>"
  size_t sp1 = s.find(' '), colon = s.find(':'), sp2 = s.rfind(' ');
  if (sp1 != 1 || colon == std::string::npos || sp2 == std::string::npos || !(sp1 < colon && colon < sp2)) return false;
  switch (s[0]) {
    case 'c': r.type = BPF_DEVCG_DEV_CHAR; break;
    case 'b': r.type = BPF_DEVCG_DEV_BLOCK; break;
    case 'a': r.type = 0; break;
    default: return false;
  }
  if (!ParseNum(s.substr(sp1 + 1, colon - sp1 - 1), r.major) || !ParseNum(s.substr(colon + 1, sp2 - colon - 1), r.minor))
    return false;
  std::string acc = s.substr(sp2 + 1);
  if (acc.empty()) return false;
  for (char c : acc) {
    if (c == 'r') r.access |= BPF_DEVCG_ACC_READ;
    else if (c == 'w') r.access |= BPF_DEVCG_ACC_WRITE;
    else if (c == 'm') r.access |= BPF_DEVCG_ACC_MKNOD;
    else return false;
  }
  return true;
}

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i;
  memset(&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}

// r1 = struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; }
// r3 = type, r4 = access, r5 = major, r6 = minor. Each rule is one block that
// jumps past itself on a mismatch and returns 1 (allow) at its end; after the
// last block, return 0 (deny).
std::vector<bpf_insn> Program(const std::vector<Rule>& rules) {
  std::vector<bpf_insn> p;
  p.push_back(Insn(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0));
  p.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0));
  p.push_back(Insn(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 0xffff));
  p.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0));
  p.push_back(Insn(BPF_ALU64 | BPF_RSH | BPF_K, 4, 0, 0, 16));
  p.push_back(Insn(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 4, 0));
  p.push_back(Insn(BPF_LDX | BPF_W | BPF_MEM, 6, 1, 8, 0));
  for (const Rule& r : rules) {
    std::vector<bpf_insn> b;  // jumps hold the index of their block's end until patched
    std::vector<size_t> jumps;
    auto jne = [&](uint8_t reg, int32_t imm) {
      jumps.push_back(b.size());
      b.push_back(Insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm));
    };
    if (r.type) jne(3, r.type);
    if (r.major >= 0) jne(5, (int32_t)r.major);
    if (r.minor >= 0) jne(6, (int32_t)r.minor);
    const int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
    if ((r.access & all) != all) {
      // What was asked for must be a subset of what the rule allows.
      b.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_X, 7, 4, 0, 0));
      b.push_back(Insn(BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0, ~r.access & all));
      jne(7, 0);
    }
    b.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1));
    b.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    for (size_t j : jumps) b[j].off = (int16_t)(b.size() - j - 1);
    p.insert(p.end(), b.begin(), b.end());
  }
  p.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
  p.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return p;
}

long Bpf(int cmd, bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof *attr); }

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

Napi::Value AttachDeviceFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string dir = StringArg(info, 0, "dir");
  if (!info[1].IsArray()) ThrowTypeError(env, "The argument 'rules' must be an array of strings");
  Napi::Array arr = info[1].As<Napi::Array>();
  std::vector<Rule> rules;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr.Get(i);
    Rule r;
    if (!v.IsString() || !ParseRule(v.As<Napi::String>().Utf8Value(), r))
      ThrowTypeError(env, "invalid device rule: " + (v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string("?")));
    rules.push_back(r);
  }
  std::vector<bpf_insn> prog = Program(rules);

  Fd cg;
  cg.fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg.fd < 0) throw ErrnoError(env, errno, "open", dir.c_str());

  static const char license[] = "Apache-2.0";
  bpf_attr load;
  memset(&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = (uint64_t)(uintptr_t)prog.data();
  load.insn_cnt = (uint32_t)prog.size();
  load.license = (uint64_t)(uintptr_t)license;
  Fd pf;
  pf.fd = (int)Bpf(BPF_PROG_LOAD, &load);
  if (pf.fd < 0) throw ErrnoError(env, errno, "bpf(BPF_PROG_LOAD)", dir.c_str());

  bpf_attr at;
  memset(&at, 0, sizeof at);
  at.target_fd = (uint32_t)cg.fd;
  at.attach_bpf_fd = (uint32_t)pf.fd;
  at.attach_type = BPF_CGROUP_DEVICE;
  at.attach_flags = BPF_F_ALLOW_MULTI;
  // The attachment holds the program; it goes with the cgroup.
  if (Bpf(BPF_PROG_ATTACH, &at) < 0) throw ErrnoError(env, errno, "bpf(BPF_PROG_ATTACH)", dir.c_str());
  return env.Undefined();
}

}  // namespace

void InitDevices(Napi::Env env, Napi::Object exports) {
  exports.Set("attachDeviceFilter", Napi::Function::New(env, AttachDeviceFilter, "attachDeviceFilter"));
}

}  // namespace hutch
