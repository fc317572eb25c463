// The tool's INPUT and OUTPUT arguments: any avio URL, or `-` for stdin /
// stdout.
//
// An Output is not OUTPUT until it is committed. When OUTPUT names a local
// file (a plain path or a file: URL that is a regular file or does not exist
// yet), the data goes to a hidden temporary file beside it, which commit()
// renames into place and discard() deletes; so a failed run never leaves a
// partial file under the name the user asked for. Other URLs (a pipe, a
// device, a symbolic link, a network target) are written in place.
#ifndef AVIO_TOOLS_ENDPOINTS_HPP
#define AVIO_TOOLS_ENDPOINTS_HPP

#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"
#include "avio/io_context.hpp"
#include "avio/url.hpp"

namespace avio::tools {

// The URL avio opens for an argument: "-" becomes the standard stream.
std::string input_url(std::string_view argument);
std::string output_url(std::string_view argument);

// Protocol options as given on the command line, "key=value" each (what
// FFmpeg takes as an AVDictionary, e.g. crypto's key and iv). An option no
// protocol of the URL recognises is an error.
using OptionList = std::vector<std::string>;

// The OpenOptions of a command: `flags`, the options (-EINVAL for an item
// without '='), and the tool's interrupt (Ctrl-C) as the callback.
Result<OpenOptions> open_options(int flags, const OptionList &list);

// An input as C++ open_url opens it: an http, https or s3 object through
// the block cache, unless `block_cache` is false (--no-cache).
Result<IOContext> open_input(std::string_view argument, const OptionList &options = {}, bool block_cache = true);

// Whether `in` reads through the block cache (an input open_input opened
// from a seekable remote object): its seeks cost no round trip once the
// blocks are in.
bool reads_through_block_cache(IOContext &in);

// --verbose: for an input read through the block cache, one line on stderr
// with what it cost ("avio cp: URL: 4 requests, 1 connection, ..."); nothing
// for other inputs.
void print_remote_reads(std::string_view command, std::string_view argument, IOContext &in);

class Output {
 public:
  static Result<Output> open(std::string_view argument, const OptionList &options = {});
  Output(Output &&) noexcept;
  Output &operator=(Output &&) noexcept;
  Output(const Output &) = delete;
  Output &operator=(const Output &) = delete;
  // Discards an output that was neither committed nor discarded.
  ~Output();

  IOContext &io() { return io_; }
  bool is_stdout() const { return is_stdout_; }
  // Closes the context and moves the data into place.
  Status commit();
  // Closes the context and removes what was written, where that is possible.
  void discard();

 private:
  Output(IOContext io, std::string final_url, std::string temp_url, bool is_stdout);
  IOContext io_;
  std::string final_url_;
  std::string temp_url_;  // empty: written in place
  bool is_stdout_ = false;
  bool done_ = false;
};

}  // namespace avio::tools

#endif  // AVIO_TOOLS_ENDPOINTS_HPP
