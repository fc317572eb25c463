// avio stat, avio ls, avio protocols: what the URL layer knows.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "avio/url.hpp"
#include "command.hpp"
#include "endpoints.hpp"

namespace avio::tools {

namespace {

const char *yes_no(bool b) { return b ? "yes" : "no"; }

struct UrlArgs {
  std::string url;
  OptionList options;
  bool long_format = false;
};

// One "name: value" line, the values aligned.
void field(const std::string &name, const std::string &value) {
  std::printf("%-18s %s\n", (name + ":").c_str(), value.c_str());
}

// Options whose values are secrets (s3's keys, tls's private key): stat
// says whether they are set, not what they are.
bool secret_option(std::string_view name) {
  return name.find("secret") != std::string_view::npos || name.find("token") != std::string_view::npos ||
         name == "key_pem";
}

void print_options(const OptionValues &values) {
  for (const OptionSpec &spec : values.specs()) {
    std::string value;
    switch (spec.type) {
      case OptionType::kInt:
      case OptionType::kInt64:
      case OptionType::kBool: value = std::to_string(values.integer(spec.name)); break;
      case OptionType::kString:
        value = values.string(spec.name);
        if (secret_option(spec.name) && !value.empty()) value = "(set, not shown)";
        break;
      case OptionType::kBinary: value = std::to_string(values.binary(spec.name).size()) + " bytes"; break;
    }
    field("option " + std::string(spec.name), value);
  }
}

int run_stat(const UrlArgs &args) {
  const std::string url = input_url(args.url);
  Result<IOContext> io = open_input(args.url, args.options);
  if (!io) return report("stat", args.url, io.error());
  field("url", url);
  UrlContext *h = url_context_of(*io);
  UrlContext *inner = h ? h->inner() : nullptr;
  field("protocol", inner ? inner->info().name() : h ? h->info().name() : find_protocol_name(url));
  if (inner) field("read through", h->info().name());
  if (Result<int64_t> size = io->size(); size)
    field("size", std::to_string(*size));
  else
    field("size", "unknown (" + error_message(size.error()) + ")");
  field("seekable", yes_no(io->seekable()));
  if (h) {
    // What the protocol reports about itself, as FFmpeg's URLContext has it.
    const StreamProperties &stream = h->stream();
    field("streamed", yes_no(stream.streamed));
    if (stream.max_packet_size) field("max packet size", std::to_string(stream.max_packet_size));
    if (stream.min_packet_size) field("min packet size", std::to_string(stream.min_packet_size));
    if (Result<int> short_seek = h->short_seek_size(); short_seek)
      field("short seek size", std::to_string(*short_seek));
    if (const int fd = h->file_handle(); fd >= 0) field("file handle", std::to_string(fd));
    // The options in effect: those of the protocol under a layer (the block
    // cache's inner http or s3) first, then the layer's, whose exported
    // ones are its statistics.
    if (inner) print_options(inner->options());
    print_options(h->options());
  }
  field("buffer size", std::to_string(io->core().buffer_size));
  return 0;
}

const char *type_name(DirEntryType type) {
  switch (type) {
    case DirEntryType::kBlockDevice: return "BLOCK DEVICE";
    case DirEntryType::kCharacterDevice: return "CHARACTER DEVICE";
    case DirEntryType::kDirectory: return "DIR";
    case DirEntryType::kNamedPipe: return "PIPE";
    case DirEntryType::kSymbolicLink: return "LINK";
    case DirEntryType::kSocket: return "SOCKET";
    case DirEntryType::kFile: return "FILE";
    case DirEntryType::kServer: return "SERVER";
    case DirEntryType::kShare: return "SHARE";
    case DirEntryType::kWorkgroup: return "WORKGROUP";
    case DirEntryType::kUnknown: break;
  }
  return "UNKNOWN";
}

std::string time_text(int64_t us) {
  if (us < 0) return "-";
  const std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

int run_ls(const UrlArgs &args) {
  Result<OpenOptions> options = open_options(kOpenRead, args.options);
  if (!options) return report("ls", args.url, options.error());
  Result<Directory> dir = Directory::open(args.url, *options);
  if (!dir) return report("ls", args.url, dir.error());
  for (;;) {
    Result<std::optional<DirEntry>> entry = dir->next();
    if (!entry) return report("ls", args.url, entry.error());
    const std::optional<DirEntry> &next = *entry;
    if (!next) break;
    const DirEntry &e = *next;
    if (!args.long_format) {
      std::printf("%s\n", e.name.c_str());
      continue;
    }
    char mode[8] = "???";
    if (e.filemode >= 0) std::snprintf(mode, sizeof mode, "%03llo", static_cast<long long>(e.filemode & 0777));
    std::printf("%-16s %4s %12lld  %s  %s\n", type_name(e.type), mode, static_cast<long long>(e.size),
                time_text(e.modification_timestamp).c_str(), e.name.c_str());
  }
  if (Status st = dir->close(); !st) return report("ls", args.url, st.error());
  return 0;
}

const char *type_name(OptionType type) {
  switch (type) {
    case OptionType::kInt: return "int";
    case OptionType::kInt64: return "int64";
    case OptionType::kBool: return "bool";
    case OptionType::kString: return "string";
    case OptionType::kBinary: return "binary";
  }
  return "?";
}

// A range bound; the limits of int and int64 by name (a double cannot
// print INT64_MAX exactly).
std::string bound(double v) {
  if (v >= 9.2e18) return "INT64_MAX";
  if (v <= -9.2e18) return "INT64_MIN";
  if (v == 2147483647.0) return "INT_MAX";
  if (v == -2147483648.0) return "INT_MIN";
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", v);
  return text;
}

struct ProtocolsArgs {
  bool names_only = false;
};

int run_protocols(const ProtocolsArgs &args) {
  for (const auto &info : ProtocolRegistry::global().list()) {
    if (args.names_only) {
      std::printf("%s\n", info->name().c_str());
      continue;
    }
    const ProtocolCapabilities &c = info->capabilities();
    std::string caps;
    for (const auto &[has, name] : {std::pair{c.read, "read"},
                                    {c.write, "write"},
                                    {c.seek, "seek"},
                                    {c.read_at, "read_at"},
                                    {c.dir, "list"},
                                    {c.accept, "listen"}})
      if (has) caps.append(name).append(" ");
    if (!caps.empty()) caps.pop_back();
    std::printf("%s (%s)\n", info->name().c_str(), caps.c_str());
    for (const OptionSpec &spec : info->options()) {
      std::string range;
      if ((spec.type == OptionType::kInt || spec.type == OptionType::kInt64) && spec.max > spec.min)
        range = " [" + bound(spec.min) + ".." + bound(spec.max) + "]";
      std::printf("  %-22.*s %-6s default %-8s%s  %.*s\n", static_cast<int>(spec.name.size()), spec.name.data(),
                  type_name(spec.type), spec.default_value.empty() ? "-" : std::string(spec.default_value).c_str(),
                  range.c_str(), static_cast<int>(spec.help.size()), spec.help.data());
    }
  }
  return 0;
}

}  // namespace

void add_stat(CLI::App &app, int *status) {
  auto args = std::make_shared<UrlArgs>();
  CLI::App *cmd = app.add_subcommand("stat", "Show what avio knows about URL: protocol, size, seekability, options");
  cmd->add_option("URL", args->url, "any avio URL")->required();
  cmd->add_option("-o,--option", args->options, "protocol option, KEY=VALUE (repeatable)");
  cmd->callback([args, status] { *status = run_stat(*args); });
}

void add_ls(CLI::App &app, int *status) {
  auto args = std::make_shared<UrlArgs>();
  CLI::App *cmd = app.add_subcommand("ls", "List the directory URL");
  cmd->add_option("URL", args->url, "a directory URL (a plain path, file:, s3://bucket/prefix/)")->required();
  cmd->add_option("-o,--option", args->options, "protocol option, KEY=VALUE (repeatable)");
  cmd->add_flag("-l,--long", args->long_format, "type, mode, size and modification time too");
  cmd->callback([args, status] { *status = run_ls(*args); });
}

void add_protocols(CLI::App &app, int *status) {
  auto args = std::make_shared<ProtocolsArgs>();
  CLI::App *cmd = app.add_subcommand("protocols", "List the protocols with what they can do and their options");
  cmd->add_flag("-1,--names", args->names_only, "names only, one per line");
  cmd->callback([args, status] { *status = run_protocols(*args); });
}

}  // namespace avio::tools
