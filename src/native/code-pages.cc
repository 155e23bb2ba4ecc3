// A process maps its executable privately and read-only; every page it has ever touched there stays in
// its page tables (and in its VmRSS), whether or not it runs again. For node that is ~40 MiB after a
// start: V8's deserializer, the bootstrap, the sources and code caches of Node's built-in modules, ICU's
// lookups. They are clean page-cache pages, identical to the file: madvise(MADV_DONTNEED) takes them out
// of this process's page tables, and the next touch maps them again from the page cache (a minor fault;
// the kernel maps 16 neighbours at once). Nothing about the program changes but which pages it has
// mapped, and the pages it no longer maps are the kernel's to reclaim without unmapping them first.
//
// Only mappings of /proc/self/exe that are not writable and hold no anonymous page are released: a
// private mapping's anonymous pages are its copy-on-write copies (relocated RELRO data), which
// MADV_DONTNEED would throw away. Those are skipped whole.
#include "code-pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"

namespace ferrolb {
namespace {

struct Mapping {
  unsigned long start = 0;
  unsigned long end = 0;
  bool ownReadOnly = false;  // a private, read-only mapping of the executable
  long rssKiB = 0;
  long anonymousKiB = -1;  // -1: no Anonymous line seen
};

// "Rss:   1234 kB" → 1234 when `line` starts with `field`; -1 otherwise.
long FieldKiB(const char* line, const char* field) {
  size_t n = std::strlen(field);
  if (std::strncmp(line, field, n) != 0) return -1;
  return std::strtol(line + n, nullptr, 10);
}

std::vector<Mapping> ReadOwnMappings(Napi::Env env, const std::string& exe) {
  FILE* f = std::fopen("/proc/self/smaps", "re");
  if (f == nullptr) ThrowErrno(env, errno, "open /proc/self/smaps");
  std::vector<Mapping> out;
  char* line = nullptr;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    unsigned long start, end;
    char perms[8];
    int pathAt = -1;
    // A mapping's first line: "start-end perms offset dev inode [path]"; its field lines ("Rss:   4 kB")
    // never parse as two hex numbers joined by '-' followed by three more words.
    if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &pathAt) == 3 && pathAt > 0) {
      std::string path(line + pathAt);
      while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
      Mapping m;
      m.start = start;
      m.end = end;
      m.ownReadOnly = path == exe && perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p';
      out.push_back(m);
      continue;
    }
    if (out.empty()) continue;
    long v;
    if ((v = FieldKiB(line, "Rss:")) >= 0) out.back().rssKiB = v;
    else if ((v = FieldKiB(line, "Anonymous:")) >= 0) out.back().anonymousKiB = v;
  }
  std::free(line);
  std::fclose(f);
  return out;
}

}  // namespace

Napi::Value ReleaseExecutablePages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) ThrowErrno(env, errno, "readlink /proc/self/exe");
  exe[n] = '\0';
  long mappings = 0;
  long releasedKiB = 0;
  for (const Mapping& m : ReadOwnMappings(env, exe)) {
    if (!m.ownReadOnly || m.anonymousKiB != 0 || m.rssKiB == 0) continue;
    if (madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED) != 0)
      ThrowErrno(env, errno, "madvise MADV_DONTNEED");
    mappings++;
    releasedKiB += m.rssKiB;
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("mappings", Napi::Number::New(env, static_cast<double>(mappings)));
  r.Set("bytes", Napi::Number::New(env, static_cast<double>(releasedKiB) * 1024));
  return r;
}

}  // namespace ferrolb
