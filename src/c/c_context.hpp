// The object behind a C `AVIOContext *`: the engine's Core (whose public
// fields are the AVIOContext), plus what the kind of context needs.
#ifndef AVIO_SRC_C_C_CONTEXT_HPP
#define AVIO_SRC_C_C_CONTEXT_HPP

#define AVIO_C_BUILDING_LIBRARY 1
#include "avio/backend.hpp"
#include "avio/c/avio.h"
#include "avio/detail/core.hpp"
#include "avio/io_context.hpp"

namespace avio::c_api {

struct CContext : detail::Core {
  enum class Kind { kCustom, kDynBuf, kUrl } kind = Kind::kCustom;
  detail::DynBuffer dyn{};
  // URL contexts (avio_open2, avio_accept): the backend over the URL, owned
  // (`opaque` points at it too, as the engine's callbacks need).
  Backend *backend = nullptr;
};

// Calls a C program's write_data_type through its C type: every C
// context's Hooks carry it.
int call_c_write_data_type(detail::Core &c, const uint8_t *data, int len);

// The hooks of C contexts: the engine calls C callbacks through their C
// types; URL contexts also ask their backend for its short-seek size.
extern const detail::Hooks kCHooks;
extern const detail::Hooks kCUrlHooks;

// detail::init for a C context: also makes the engine call C callbacks
// through their C types.
void init_context(CContext &c, uint8_t *buffer, int buffer_size, bool write_flag, void *opaque, detail::ReadPacket read,
                  detail::WritePacket write, detail::SeekFn seek);

// The av_class of URL contexts (opt_c.cc): FFmpeg's ffio_fdopen sets
// ff_avio_class there, and av_opt_* find their options through it;
// avio_alloc_context and the dynamic buffers leave it null, as FFmpeg does.
extern const void *const kUrlContextClass;

inline CContext *from_c(AVIOContext *s) {
  return static_cast<CContext *>(reinterpret_cast<detail::ContextFields *>(s));
}
inline AVIOContext *to_c(CContext *c) {
  return reinterpret_cast<AVIOContext *>(static_cast<detail::ContextFields *>(c));
}

}  // namespace avio::c_api

#endif  // AVIO_SRC_C_C_CONTEXT_HPP
