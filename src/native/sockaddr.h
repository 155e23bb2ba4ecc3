// Text address + port → sockaddr, for the family of the socket it is used with.
#pragma once
#include <napi.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string>

namespace ferrolb {

/**
 * Fills `out` from a literal IPv4/IPv6 address (no names, no zone). An IPv4 address used on an AF_INET6
 * socket becomes its IPv4-mapped form (::ffff:a.b.c.d), so dual-stack listeners can key IPv4 peers.
 * Throws ERR_INVALID_ARG_VALUE naming `what` when the text is not an address of a usable family.
 */
socklen_t ToSockaddr(Napi::Env env, int family, const std::string& text, int port, sockaddr_storage* out,
                     const std::string& what);

/** Reads an integer option `name` of `opts` in [min, max]; returns `fallback` when absent/undefined. */
int IntOption(Napi::Env env, const Napi::Object& opts, const char* name, int min, int max, int fallback);

/** Reads a string option; returns "" when absent/undefined; throws when present and not a string. */
std::string StringOption(Napi::Env env, const Napi::Object& opts, const char* name);

}  // namespace ferrolb
