#include "errors.h"

#include <cmath>
#include <cstring>

namespace hutch {

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const char* path) {
  const char* name = strerrorname_np(err);  // glibc >= 2.32
  std::string code = name ? name : "UNKNOWN";
  std::string msg = code + ": " + strerror(err) + ", " + syscall;
  if (path) msg += std::string(" '") + path + "'";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, -err));  // negative, like fs errors
  e.Set("syscall", Napi::String::New(env, syscall));
  if (path) e.Set("path", Napi::String::New(env, path));
  return e;
}

void ThrowTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError e = Napi::TypeError::New(env, message);
  e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  throw e;
}

int64_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min, int64_t max) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) ThrowTypeError(info.Env(), std::string("The \"") + name + "\" argument must be of type number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::trunc(d) || d < static_cast<double>(min) || d > static_cast<double>(max)) {
    Napi::RangeError e = Napi::RangeError::New(
        info.Env(), std::string("The value of \"") + name + "\" is out of range. It must be an integer >= " +
                        std::to_string(min) + " and <= " + std::to_string(max) + ".");
    e.Set("code", Napi::String::New(info.Env(), "ERR_OUT_OF_RANGE"));
    throw e;
  }
  return static_cast<int64_t>(d);
}

int FdArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<int>(IntArg(info, i, name, 0, INT32_MAX));
}

// Strings go to the kernel as C strings: an embedded NUL would silently cut them
// short, so refuse them as fs does.
static std::string CheckedString(const Napi::CallbackInfo& info, Napi::Value v, const char* name) {
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) {
    Napi::TypeError e = Napi::TypeError::New(
        info.Env(), std::string("The argument '") + name + "' must be a string without null bytes");
    e.Set("code", Napi::String::New(info.Env(), "ERR_INVALID_ARG_VALUE"));
    throw e;
  }
  return s;
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsString()) ThrowTypeError(info.Env(), std::string("The \"") + name + "\" argument must be of type string");
  return CheckedString(info, v, name);
}

bool OptStringArg(const Napi::CallbackInfo& info, size_t i, const char* name, std::string& out) {
  Napi::Value v = info[i];
  if (v.IsNull() || v.IsUndefined()) return false;
  if (!v.IsString())
    ThrowTypeError(info.Env(), std::string("The \"") + name + "\" argument must be of type string or null");
  out = CheckedString(info, v, name);
  return true;
}

}  // namespace hutch
