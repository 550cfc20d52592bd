// Errors shaped like Node's own system errors, and argument checks shared by
// every binding file.
//
// A failed syscall becomes
//   { message: "ENOENT: No such file or directory, mount '/x'", code: 'ENOENT',
//     errno: -2, syscall: 'mount', path: '/x' }
// so TypeScript can narrow on `(e as NodeJS.ErrnoException).code` exactly as it
// does for fs errors, and util.getSystemErrorName(e.errno) agrees with `code`.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace hutch {

// `err` is a positive errno value. `path` is optional (nullptr: no path field).
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const char* path = nullptr);

// Bad arguments are programming errors: TypeError/RangeError with Node's codes.
[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& message);

// Argument `i` as a file descriptor: an integer in [0, INT32_MAX].
int FdArg(const Napi::CallbackInfo& info, size_t i, const char* name = "fd");
// Argument `i` as an integer in [min, max] (a JS number with no fraction).
int64_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min, int64_t max);
// Argument `i` as a string (required).
std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* name);
// Argument `i` as a string, or null/undefined (returns false and leaves `out` alone).
bool OptStringArg(const Napi::CallbackInfo& info, size_t i, const char* name, std::string& out);

}  // namespace hutch
