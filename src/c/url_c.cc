// The C API's URL functions (avio_open2, avio_check, directory listing, ...)
// over the C++ URL layer. avio_close, avio_pause and avio_seek_time live in
// avio_c.cc and reach the URL through the hooks set here.
#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

#include "../url/url_backend.hpp"
#include "../url/url_internal.hpp"
#include "avio/url.hpp"
#include "c_context.hpp"

using avio::c_api::CContext;
using avio::c_api::to_c;
namespace detail = avio::detail;

struct AVIODirContext {
  avio::Directory dir;
};

namespace {

// The C context over an open or accepted URL: the same backend and the
// same engine set-up as the C++ face (url_backend.hpp), with C's hooks.
int make_url_context(std::unique_ptr<avio::UrlContext> h, AVIOContext **s) {
  avio::Result<avio::ContextOptions> o = avio::url_internal::buffered_options(*h);
  if (!o) return o.error().code();
  auto backend = std::make_unique<avio::url_internal::UrlBackend>(std::move(h));
  if (avio::Status st = detail::check_backend_options(*backend, *o); !st) return st.code();
  auto *buffer = static_cast<uint8_t *>(av_malloc(static_cast<size_t>(o->buffer_size)));
  if (!buffer) return AVERROR(ENOMEM);
  auto *c = new (std::nothrow) CContext;
  if (!c) {
    av_free(buffer);
    return AVERROR(ENOMEM);
  }
  detail::init_over_backend(*c, *backend, buffer, *o, &avio::c_api::kCUrlHooks);
  const avio::UrlContext &url = backend->url();
  if (const std::optional<std::string> &white = url.whitelist(); white)
    c->protocol_whitelist = av_strdup(white->c_str());
  if (const std::optional<std::string> &black = url.blacklist(); black)
    c->protocol_blacklist = av_strdup(black->c_str());
  c->kind = CContext::Kind::kUrl;
  c->av_class = avio::c_api::kUrlContextClass;
  c->backend = backend.release();
  *s = to_c(c);
  return 0;
}

avio::url_internal::UrlBackend *url_backend_of(AVIOContext *s) {
  CContext *c = avio::c_api::from_c(s);
  return c->kind == CContext::Kind::kUrl ? static_cast<avio::url_internal::UrlBackend *>(c->backend) : nullptr;
}

avio::Dictionary to_dictionary(AVDictionary *const *options) {
  avio::Dictionary d;
  if (!options || !*options) return d;
  for (const AVDictionaryEntry *e = av_dict_iterate(*options, nullptr); e; e = av_dict_iterate(*options, e))
    d.set(e->key, e->value);
  return d;
}

void give_back(AVDictionary **options, const avio::Dictionary &left) {
  if (!options) return;
  av_dict_free(options);
  for (const auto &[k, v] : left.entries()) av_dict_set(options, k.c_str(), v.c_str(), 0);
}

// Names handed to C callers must outlive any registry change.
const char *interned(const std::string &name) {
  static std::mutex mu;
  static auto *names = new std::set<std::string>;
  std::lock_guard<std::mutex> lock(mu);
  return names->insert(name).first->c_str();
}

// avio_protocol_get_class hands out an opaque, non-null token for a protocol
// with options (C++ callers read the table with avio::protocol_options).
struct ProtocolClassToken {
  const char *class_name;
};

avio::UrlOpenParams params_from(const AVIOInterruptCB *int_cb) {
  avio::UrlOpenParams p;
  if (int_cb && int_cb->callback) {
    const AVIOInterruptCB cb = *int_cb;
    p.interrupt.callback = [cb] { return cb.callback(cb.opaque) != 0; };
  }
  return p;
}

}  // namespace

extern "C" {

int avio_open2(AVIOContext **s, const char *filename, int flags, const AVIOInterruptCB *int_cb,
               AVDictionary **options) {
  if (!s) return AVERROR(EINVAL);
  *s = nullptr;
  if (!filename) return AVERROR(EINVAL);
  avio::Dictionary dict = to_dictionary(options);
  avio::Result<std::unique_ptr<avio::UrlContext>> opened =
      avio::UrlContext::open(filename, flags, params_from(int_cb), dict);
  give_back(options, dict);
  if (!opened) return opened.error().code();
  return make_url_context(std::move(*opened), s);
}

int avio_open(AVIOContext **s, const char *url, int flags) { return avio_open2(s, url, flags, nullptr, nullptr); }

int avio_check(const char *url, int flags) {
  if (!url) return AVERROR(EINVAL);
  avio::Result<int> r = avio::check_url(url, flags);
  return r ? *r : r.error().code();
}

const char *avio_find_protocol_name(const char *url) {
  if (!url) return nullptr;
  const std::string name = avio::find_protocol_name(url);
  return name.empty() ? nullptr : interned(name);
}

const char *avio_enum_protocols(void **opaque, int output) {
  const auto list = avio::ProtocolRegistry::global().list();
  for (uintptr_t i = reinterpret_cast<uintptr_t>(*opaque); i < list.size(); ++i) {
    const avio::ProtocolCapabilities &caps = list[i]->capabilities();
    if (output ? caps.write : caps.read) {
      *opaque = reinterpret_cast<void *>(i + 1);  // NOLINT(performance-no-int-to-ptr): the API's iterator is a void*
      return interned(list[i]->name());
    }
  }
  *opaque = nullptr;
  return nullptr;
}

const AVClass *avio_protocol_get_class(const char *name) {
  if (!name) return nullptr;
  auto info = avio::ProtocolRegistry::global().find(name);
  if (!info || info->options().empty()) return nullptr;
  static std::mutex mu;
  static auto *tokens = new std::set<std::pair<std::string, const ProtocolClassToken *>>;
  std::lock_guard<std::mutex> lock(mu);
  for (const auto &t : *tokens)
    if (t.first == name) return reinterpret_cast<const AVClass *>(t.second);
  auto *token = new ProtocolClassToken{interned(name)};
  tokens->insert({name, token});
  return reinterpret_cast<const AVClass *>(token);
}

int avio_open_dir(AVIODirContext **s, const char *url, AVDictionary **options) {
  if (!s) return AVERROR(EINVAL);
  *s = nullptr;
  if (!url) return AVERROR(EINVAL);
  avio::OpenOptions o;
  o.options = to_dictionary(options);
  avio::Result<avio::Directory> dir = avio::Directory::open(url, o);
  if (!dir) return dir.error().code();
  *s = new (std::nothrow) AVIODirContext{std::move(*dir)};
  return *s ? 0 : AVERROR(ENOMEM);
}

int avio_read_dir(AVIODirContext *s, AVIODirEntry **next) {
  if (!next) return AVERROR(EINVAL);
  *next = nullptr;
  if (!s) return AVERROR(EINVAL);
  avio::Result<std::optional<avio::DirEntry>> r = s->dir.next();
  if (!r) return r.error().code();
  const std::optional<avio::DirEntry> &next_entry = *r;
  if (!next_entry) return 0;
  const avio::DirEntry &e = *next_entry;
  auto *entry = static_cast<AVIODirEntry *>(av_mallocz(sizeof(AVIODirEntry)));
  if (!entry) return AVERROR(ENOMEM);
  entry->name = av_strdup(e.name.c_str());
  if (!entry->name) {
    av_free(entry);
    return AVERROR(ENOMEM);
  }
  entry->type = static_cast<int>(e.type);
  entry->utf8 = e.utf8 ? 1 : 0;
  entry->size = e.size;
  entry->modification_timestamp = e.modification_timestamp;
  entry->access_timestamp = e.access_timestamp;
  entry->status_change_timestamp = e.status_change_timestamp;
  entry->user_id = e.user_id;
  entry->group_id = e.group_id;
  entry->filemode = e.filemode;
  *next = entry;
  return 0;
}

int avio_close_dir(AVIODirContext **s) {
  if (!s || !*s) return AVERROR(EINVAL);
  (void)(*s)->dir.close();
  delete *s;
  *s = nullptr;
  return 0;
}

void avio_free_directory_entry(AVIODirEntry **entry) {
  if (!entry || !*entry) return;
  av_free((*entry)->name);
  av_free(*entry);
  *entry = nullptr;
}

int avio_accept(AVIOContext *s, AVIOContext **c) {
  if (!s || !c) return AVERROR(EINVAL);
  *c = nullptr;
  avio::url_internal::UrlBackend *server = url_backend_of(s);
  if (!server) return AVERROR(EBADF);  // not a URL context: nothing can listen
  avio::Result<std::unique_ptr<avio::UrlContext>> client = server->url().accept();
  if (!client) return client.error().code();
  return make_url_context(std::move(*client), c);
}

int avio_handshake(AVIOContext *c) {
  if (!c) return AVERROR(EINVAL);
  avio::url_internal::UrlBackend *client = url_backend_of(c);
  if (!client) return 0;  // ffurl_handshake: a protocol without a handshake is done
  avio::Result<int> r = client->url().handshake();
  return r ? *r : r.error().code();
}

}  // extern "C"
