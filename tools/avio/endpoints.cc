#include "endpoints.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "avio/url.hpp"
#include "interrupt.hpp"

namespace avio::tools {

namespace {

// The path of a local file the file protocol would write, or "" when the
// URL is something else, or a special file or a symbolic link, which must be
// written in place (renaming over /dev/null would replace it; over a link,
// the link).
std::string local_regular_path(const std::string &url) {
  if (find_protocol_name(url) != "file") return "";
  std::string path = url.compare(0, 5, "file:") == 0 ? url.substr(5) : url;
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return "";
  return path;
}

// A hidden name beside `path`, unique to this process.
std::string temporary_path_for(const std::string &path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + base + ".avio-partial-" + std::to_string(getpid());
}

}  // namespace

Result<OpenOptions> open_options(int flags, const OptionList &list) {
  OpenOptions options;
  options.flags = flags;
  options.interrupt_callback = interrupt_requested;
  for (const std::string &item : list) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error::invalid_argument("option '" + item + "' is not of the form key=value");
    options.options.set(std::string_view(item).substr(0, eq), std::string_view(item).substr(eq + 1));
  }
  return options;
}

std::string input_url(std::string_view argument) { return argument == "-" ? "pipe:0" : std::string(argument); }
std::string output_url(std::string_view argument) { return argument == "-" ? "pipe:1" : std::string(argument); }

Result<IOContext> open_input(std::string_view argument, const OptionList &list, bool block_cache) {
  Result<OpenOptions> options = open_options(kOpenRead, list);
  if (!options) return options.error();
  options->block_cache = block_cache;
  return open_url(input_url(argument), *options);
}

bool reads_through_block_cache(IOContext &in) {
  const UrlContext *h = url_context_of(in);
  return h && h->options().declares("cache_hits");
}

void print_remote_reads(std::string_view command, std::string_view argument, IOContext &in) {
  if (!reads_through_block_cache(in)) return;
  const OptionValues &o = url_context_of(in)->options();
  std::fprintf(stderr,
               "avio %.*s: %.*s: %lld requests, %lld connections, %lld bytes fetched, %lld blocks from the cache, "
               "%lld fetched; hole %lld, range %lld\n",
               static_cast<int>(command.size()), command.data(), static_cast<int>(argument.size()), argument.data(),
               static_cast<long long>(o.integer("requests")), static_cast<long long>(o.integer("connections")),
               static_cast<long long>(o.integer("bytes_fetched")), static_cast<long long>(o.integer("cache_hits")),
               static_cast<long long>(o.integer("cache_misses")), static_cast<long long>(o.integer("hole_limit")),
               static_cast<long long>(o.integer("range_limit")));
}

Output::Output(IOContext io, std::string final_url, std::string temp_url, bool is_stdout)
    : io_(std::move(io)), final_url_(std::move(final_url)), temp_url_(std::move(temp_url)), is_stdout_(is_stdout) {}
Output::Output(Output &&) noexcept = default;
Output &Output::operator=(Output &&) noexcept = default;
Output::~Output() {
  if (!done_ && !final_url_.empty()) discard();
}

Result<Output> Output::open(std::string_view argument, const OptionList &list) {
  Result<OpenOptions> options = open_options(kOpenWrite, list);
  if (!options) return options.error();
  const std::string url = output_url(argument);
  const std::string path = local_regular_path(url);
  const std::string temp = path.empty() ? "" : "file:" + temporary_path_for(path);
  Result<IOContext> io = open_url(temp.empty() ? url : temp, *options);
  // The temporary name would only confuse; the error is about OUTPUT.
  if (!io && !temp.empty()) return Error(io.error().code(), "cannot create the file");
  if (!io) return io.error();
  return Output(std::move(*io), url, temp, url == "pipe:1" || url == "pipe:" || url == "fd:1");
}

Status Output::commit() {
  done_ = true;
  if (Status st = io_.close(); !st) {
    if (!temp_url_.empty()) (void)delete_url(temp_url_);
    return st;
  }
  if (!temp_url_.empty()) {
    const std::string target = final_url_.compare(0, 5, "file:") == 0 ? final_url_ : "file:" + final_url_;
    if (Status st = move_url(temp_url_, target); !st) {
      (void)delete_url(temp_url_);
      return st;
    }
  }
  return {};
}

void Output::discard() {
  done_ = true;
  (void)io_.close();
  if (!temp_url_.empty()) (void)delete_url(temp_url_);
}

}  // namespace avio::tools
