// JavaScript bindings of layer extraction (core in extract.h). One extraction is
// a numbered handle; each tar entry is one call that resolves its parent,
// creates it, writes the data at hand and applies its metadata, so a layer of
// small files costs one crossing per file rather than one per syscall.
//
// Names are byte strings: JS passes them as latin1 strings (one char per byte),
// which round-trip any name a tar can hold, UTF-8 or not.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "addon.h"
#include "errors.h"
#include "extract.h"

namespace hutch {

using layer::Extractor;
using layer::LayerError;

namespace {

struct Slot {
  napi_env env;
  std::unique_ptr<Extractor> ex;
};

// Handles of every environment (main thread and workers); each environment's
// are dropped, fds closed, when it goes away (a terminated worker).
std::mutex gMutex;
std::unordered_map<int, Slot> gSlots;
int gNext = 1;

Extractor& Get(const Napi::CallbackInfo& info) {
  int h = static_cast<int>(IntArg(info, 0, "handle", 1, INT32_MAX));
  std::lock_guard<std::mutex> lock(gMutex);
  auto it = gSlots.find(h);
  if (it == gSlots.end() || it->second.env != static_cast<napi_env>(info.Env())) {
    Napi::Error e = Napi::Error::New(info.Env(), "EBADF: no such layer extraction handle");
    e.Set("code", Napi::String::New(info.Env(), "EBADF"));
    throw e;
  }
  return *it->second.ex;
}

void DropEnv(void* arg) {
  auto env = static_cast<napi_env>(arg);
  std::lock_guard<std::mutex> lock(gMutex);
  for (auto it = gSlots.begin(); it != gSlots.end();) {
    if (it->second.env == env) it = gSlots.erase(it);
    else ++it;
  }
}

std::string Latin1(const Napi::CallbackInfo& info, size_t i, const char* name) {
  napi_env env = info.Env();
  napi_value v = info[i];
  size_t len = 0;
  if (!info[i].IsString() || napi_get_value_string_latin1(env, v, nullptr, 0, &len) != napi_ok)
    ThrowTypeError(info.Env(), std::string("The \"") + name + "\" argument must be of type string");
  std::string out;
  out.resize(len + 1);
  napi_get_value_string_latin1(env, v, out.data(), len + 1, &len);
  out.resize(len);
  return out;
}

Napi::Value Latin1Value(Napi::Env env, const std::string& s) {
  napi_value v;
  napi_create_string_latin1(env, s.data(), s.size(), &v);
  return Napi::Value(env, v);
}

// A LayerError as a JS Error: message = the reason, code/errno when a syscall failed.
Napi::Error ToJs(Napi::Env env, const LayerError& le) {
  napi_value msg, err;
  napi_create_string_latin1(env, le.reason.data(), le.reason.size(), &msg);
  napi_create_error(env, nullptr, msg, &err);
  Napi::Error e(env, err);
  if (le.err) {
    const char* name = strerrorname_np(le.err);
    e.Set("code", Napi::String::New(env, name ? name : "UNKNOWN"));
    e.Set("errno", Napi::Number::New(env, -le.err));
  }
  return e;
}

template <typename F>
auto Guard(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const LayerError& le) {
    throw ToJs(env, le);
  }
}

struct Bytes {
  const char* data = nullptr;
  size_t len = 0;
};

// (buffer, offset, length) as a byte range, checked against the buffer.
Bytes Range(const Napi::CallbackInfo& info, size_t i) {
  Bytes b;
  if (info[i].IsNull() || info[i].IsUndefined()) return b;
  if (!info[i].IsTypedArray()) ThrowTypeError(info.Env(), "The \"data\" argument must be a Uint8Array");
  auto arr = info[i].As<Napi::Uint8Array>();
  size_t size = arr.ByteLength();
  int64_t off = IntArg(info, i + 1, "offset", 0, static_cast<int64_t>(size));
  int64_t len = IntArg(info, i + 2, "length", 0, static_cast<int64_t>(size) - off);
  b.data = reinterpret_cast<const char*>(arr.Data()) + off;
  b.len = static_cast<size_t>(len);
  return b;
}

// layerOpen(root: string, flags: number): number
Napi::Value LayerOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string root = StringArg(info, 0, "root");
  int flags = static_cast<int>(IntArg(info, 1, "flags", 0, 15));
  int fd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw ErrnoError(env, errno, "open", root.c_str());
  auto ex = Guard(env, [&] { return std::make_unique<Extractor>(fd, flags); });
  std::lock_guard<std::mutex> lock(gMutex);
  int h = gNext++;
  gSlots.emplace(h, Slot{env, std::move(ex)});
  return Napi::Number::New(env, h);
}

// layerEntry(h, kind, path, link, meta: Float64Array, data, offset, length, size, xattrs): boolean
Napi::Value LayerEntry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Extractor& ex = Get(info);
  auto kind = static_cast<layer::Kind>(IntArg(info, 1, "kind", 0, 6));
  std::string path = Latin1(info, 2, "path");
  std::string link;
  if (!info[3].IsNull() && !info[3].IsUndefined()) link = Latin1(info, 3, "link");
  if (!info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[4].As<Napi::Float64Array>().ElementLength() < 7)
    ThrowTypeError(env, "The \"meta\" argument must be a Float64Array of 7 numbers");
  const double* m = info[4].As<Napi::Float64Array>().Data();
  // Casting a NaN or out-of-range double is undefined behaviour: check first.
  auto u32 = [&](double d, const char* what) -> uint32_t {
    if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint64_t>(d)))
      ThrowTypeError(env, std::string("The \"meta\" ") + what + " is out of range");
    return static_cast<uint32_t>(d);
  };
  layer::Meta meta;
  meta.mode = u32(m[0], "mode") & 07777;
  meta.uid = u32(m[1], "uid");
  meta.gid = u32(m[2], "gid");
  if (!(m[3] >= -9007199254740991.0 && m[3] <= 9007199254740991.0)) ThrowTypeError(env, "The \"meta\" mtime is out of range");
  meta.mtimeSec = static_cast<int64_t>(m[3]);
  double ns = m[4];
  meta.mtimeNsec = ns >= 0 && ns <= 999999999 ? static_cast<long>(ns) : 0;
  meta.devMajor = u32(m[5], "devMajor");
  meta.devMinor = u32(m[6], "devMinor");
  Bytes data = Range(info, 5);
  double size = info[8].As<Napi::Number>().DoubleValue();
  if (!(size >= 0 && size <= 9007199254740991.0)) ThrowTypeError(env, "The \"size\" argument is out of range");
  std::vector<layer::Xattr> xattrs;
  if (info[9].IsArray()) {
    Napi::Array arr = info[9].As<Napi::Array>();
    for (uint32_t i = 0; i + 1 < arr.Length(); i += 2) {
      napi_value nameV = arr.Get(i);
      size_t n = 0;
      napi_get_value_string_latin1(env, nameV, nullptr, 0, &n);
      std::string name(n + 1, '\0');
      napi_get_value_string_latin1(env, nameV, name.data(), n + 1, &n);
      name.resize(n);
      Napi::Value v = arr.Get(i + 1);
      if (!v.IsTypedArray()) ThrowTypeError(env, "xattr values must be Uint8Arrays");
      auto u8 = v.As<Napi::Uint8Array>();
      xattrs.push_back({std::move(name), std::string(reinterpret_cast<const char*>(u8.Data()), u8.ByteLength())});
    }
  }
  bool open = Guard(env, [&] {
    return ex.Entry(kind, path, link, meta, data.data, data.len, static_cast<uint64_t>(size), std::move(xattrs));
  });
  return Napi::Boolean::New(env, open);
}

// layerData(h, data, offset, length): boolean -- true while the file wants more
Napi::Value LayerData(const Napi::CallbackInfo& info) {
  Extractor& ex = Get(info);
  Bytes data = Range(info, 1);
  return Napi::Boolean::New(info.Env(), Guard(info.Env(), [&] { return ex.Data(data.data, data.len); }));
}

// layerWhiteout(h, dir, name): void
Napi::Value LayerWhiteout(const Napi::CallbackInfo& info) {
  Extractor& ex = Get(info);
  std::string dir = Latin1(info, 1, "dir");
  std::string name = Latin1(info, 2, "name");
  Guard(info.Env(), [&] { ex.Whiteout(dir, name); });
  return info.Env().Undefined();
}

// layerOpaque(h, dir): void
Napi::Value LayerOpaque(const Napi::CallbackInfo& info) {
  Extractor& ex = Get(info);
  std::string dir = Latin1(info, 1, "dir");
  Guard(info.Env(), [&] { ex.Opaque(dir); });
  return info.Env().Undefined();
}

// layerList(h, dir): string[] -- directories end with '/'
Napi::Value LayerList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Extractor& ex = Get(info);
  std::string dir = Latin1(info, 1, "dir");
  auto names = Guard(env, [&] { return ex.List(dir); });
  Napi::Array out = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); i++) out.Set(i, Latin1Value(env, names[i]));
  return out;
}

// layerRemove(h, path): void
Napi::Value LayerRemove(const Napi::CallbackInfo& info) {
  Extractor& ex = Get(info);
  std::string path = Latin1(info, 1, "path");
  Guard(info.Env(), [&] { ex.Remove(path); });
  return info.Env().Undefined();
}

// layerClose(h, finish: boolean): string[] -- finish applies directory metadata;
// returns the lines about what was skipped. The handle is gone either way.
Napi::Value LayerClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Extractor& ex = Get(info);
  int h = static_cast<int>(IntArg(info, 0, "handle", 1, INT32_MAX));
  bool finish = info[1].ToBoolean();
  std::unique_ptr<Extractor> owned;
  {
    std::lock_guard<std::mutex> lock(gMutex);
    owned = std::move(gSlots[h].ex);
    gSlots.erase(h);
  }
  (void)ex;
  if (finish) Guard(env, [&] { owned->Finish(); });
  auto skipped = owned->TakeSkipped();
  Napi::Array out = Napi::Array::New(env, skipped.size());
  for (uint32_t i = 0; i < skipped.size(); i++) out.Set(i, Latin1Value(env, skipped[i]));
  return out;
}

// removeTree(path: string): void -- rm -rf of path (nothing when missing) at any
// depth, through fds: never a path longer than PATH_MAX, never a symlink
// followed, never a mount point crossed. The image store deletes snapshots so.
Napi::Value RemoveTree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = StringArg(info, 0, "path");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") ThrowTypeError(env, "The \"path\" argument must name a file or directory");
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    if (errno == ENOENT) return env.Undefined();
    throw ErrnoError(env, errno, "open", dir.c_str());
  }
  try {
    Guard(env, [&] { layer::RemoveAt(dfd, name.c_str(), path); });
  } catch (...) {
    close(dfd);
    throw;
  }
  close(dfd);
  return env.Undefined();
}

}  // namespace

void InitExtract(Napi::Env env, Napi::Object exports) {
  napi_add_env_cleanup_hook(env, DropEnv, static_cast<napi_env>(env));
  exports.Set("layerOpen", Napi::Function::New(env, LayerOpen, "layerOpen"));
  exports.Set("layerEntry", Napi::Function::New(env, LayerEntry, "layerEntry"));
  exports.Set("layerData", Napi::Function::New(env, LayerData, "layerData"));
  exports.Set("layerWhiteout", Napi::Function::New(env, LayerWhiteout, "layerWhiteout"));
  exports.Set("layerOpaque", Napi::Function::New(env, LayerOpaque, "layerOpaque"));
  exports.Set("layerList", Napi::Function::New(env, LayerList, "layerList"));
  exports.Set("layerRemove", Napi::Function::New(env, LayerRemove, "layerRemove"));
  exports.Set("layerClose", Napi::Function::New(env, LayerClose, "layerClose"));
  exports.Set("removeTree", Napi::Function::New(env, RemoveTree, "removeTree"));
}

}  // namespace hutch
