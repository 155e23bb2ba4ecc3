// Releasing the pages of the running executable that only the start touched (see code-pages.cc).
#pragma once
#include <napi.h>

namespace ferrolb {

/** releaseExecutablePages(): { mappings, bytes } — see code-pages.cc. */
Napi::Value ReleaseExecutablePages(const Napi::CallbackInfo& info);

}  // namespace ferrolb
