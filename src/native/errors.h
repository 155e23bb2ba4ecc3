// Errors thrown to JavaScript carry the errno name as `code` (EPERM, EINVAL...) and the failing call,
// like Node's own system errors: `EPERM: setsockopt TCP_MD5SIG`.
#pragma once
#include <napi.h>
#include <string>

namespace ferrolb {

/** Throws an Error for `err` (an errno value) naming the operation `what`. */
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const std::string& what);

/** Throws a TypeError with code ERR_INVALID_ARG_VALUE: a caller mistake, not a system error. */
[[noreturn]] void ThrowInvalid(Napi::Env env, const std::string& message);

/** The errno name (`ECONNREFUSED`), or `E<number>` when the C library has no name for it. */
std::string ErrnoName(int err);

}  // namespace ferrolb
