// mount(2) and umount2(2), plus the flag constants the engine uses. Plain
// mounts are fine in-process (no namespace change); setting up a container's
// mount namespace is the monitor's job.
#include <sys/mount.h>

#include <cerrno>

#include "addon.h"
#include "errors.h"

namespace hutch {

// mount(source: string|null, target: string, fstype: string|null,
//       flags: number, data: string|null): void
static Napi::Value Mount(const Napi::CallbackInfo& info) {
  std::string source, fstype, data;
  bool hasSource = OptStringArg(info, 0, "source", source);
  std::string target = StringArg(info, 1, "target");
  bool hasFstype = OptStringArg(info, 2, "fstype", fstype);
  unsigned long flags = static_cast<unsigned long>(IntArg(info, 3, "flags", 0, UINT32_MAX));
  bool hasData = OptStringArg(info, 4, "data", data);
  if (mount(hasSource ? source.c_str() : nullptr, target.c_str(), hasFstype ? fstype.c_str() : nullptr, flags,
            hasData ? data.c_str() : nullptr) < 0)
    throw ErrnoError(info.Env(), errno, "mount", target.c_str());
  return info.Env().Undefined();
}

// umount2(target: string, flags: number): void
static Napi::Value Umount2(const Napi::CallbackInfo& info) {
  std::string target = StringArg(info, 0, "target");
  int flags = static_cast<int>(IntArg(info, 1, "flags", 0, INT32_MAX));
  if (umount2(target.c_str(), flags) < 0) throw ErrnoError(info.Env(), errno, "umount2", target.c_str());
  return info.Env().Undefined();
}

void InitMount(Napi::Env env, Napi::Object exports) {
  exports.Set("mount", Napi::Function::New(env, Mount, "mount"));
  exports.Set("umount2", Napi::Function::New(env, Umount2, "umount2"));

  Napi::Object c = Napi::Object::New(env);
  auto set = [&](const char* name, double value) { c.Set(name, Napi::Number::New(env, value)); };
  set("MS_RDONLY", MS_RDONLY);
  set("MS_NOSUID", MS_NOSUID);
  set("MS_NODEV", MS_NODEV);
  set("MS_NOEXEC", MS_NOEXEC);
  set("MS_REMOUNT", MS_REMOUNT);
  set("MS_BIND", MS_BIND);
  set("MS_REC", MS_REC);
  set("MS_PRIVATE", MS_PRIVATE);
  set("MS_SLAVE", MS_SLAVE);
  set("MS_SHARED", MS_SHARED);
  set("MNT_FORCE", MNT_FORCE);
  set("MNT_DETACH", MNT_DETACH);
  set("UMOUNT_NOFOLLOW", UMOUNT_NOFOLLOW);
  c.Freeze();
  exports.Set("constants", c);
}

}  // namespace hutch
