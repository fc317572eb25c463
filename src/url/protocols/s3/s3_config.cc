#include "s3_config.hpp"

#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "canonical.hpp"

namespace avio::protocols::s3 {

namespace {

constexpr OptionSpec kS3Options[] = {
    {"region", OptionType::kString, "", 0, 0, "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config)"},
    {"endpoint_url", OptionType::kString, "", 0, 0, "S3-compatible endpoint, http:// or https:// (else AWS's)"},
    {"addressing", OptionType::kString, "auto", 0, 0, "auto, path or virtual (bucket in the host name)"},
    {"access_key_id", OptionType::kString, "", 0, 0, "access key (else AWS_ACCESS_KEY_ID, ~/.aws/credentials)"},
    {"secret_access_key", OptionType::kString, "", 0, 0, "secret key (else AWS_SECRET_ACCESS_KEY, ~/.aws/credentials)"},
    {"session_token", OptionType::kString, "", 0, 0, "session token (else AWS_SESSION_TOKEN)"},
    {"profile", OptionType::kString, "", 0, 0, "profile of the shared files (else AWS_PROFILE, default)"},
    {"anonymous", OptionType::kBool, "0", 0, 1, "send unsigned requests (public buckets)"},
    {"part_size", OptionType::kInt64, "8388608", 5242880, 5368709120.0, "multipart upload part size, bytes"},
    {"max_retries", OptionType::kInt, "5", 0, 100, "retries of a throttled or failed request"},
    {"max_keys", OptionType::kInt, "1000", 1, 1000, "keys per ListObjectsV2 page"},
    {"offset", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "initial byte offset"},
    {"end_offset", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX),
     "reading stops at this offset (0: the object's end)"},
    {"parts_in_flight", OptionType::kInt, "4", 1, 64, "multipart parts uploaded at once (memory: one part more)"},
};

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::string> non_empty(std::optional<std::string> v) {
  if (v && v->empty()) return std::nullopt;
  return v;
}

struct Lookup {
  const OptionValues &options;
  const ConfigSources &sources;
  std::string profile;
  std::optional<std::string> credentials_file, config_file;

  std::optional<std::string> option(const char *name) const {
    const std::string &v = options.string(name);
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
  }
  std::optional<std::string> env(const char *name) const { return non_empty(sources.env(name)); }
  std::optional<std::string> credentials(std::string_view name) const {
    return credentials_file ? non_empty(ini_value(*credentials_file, profile, name)) : std::nullopt;
  }
  std::optional<std::string> config(std::string_view name) const {
    if (!config_file) return std::nullopt;
    const std::string section = profile == "default" ? profile : "profile " + profile;
    return non_empty(ini_value(*config_file, section, name));
  }
};

std::string home_file(const ConfigSources &s, const char *override_env, const char *name) {
  if (std::optional<std::string> p = non_empty(s.env(override_env)); p) return *p;
  const std::optional<std::string> home = non_empty(s.env("HOME"));
  return (home ? *home : std::string()) + "/.aws/" + name;
}

Status resolve_credentials(const Lookup &l, S3Config &c) {
  if (c.anonymous) return {};
  std::optional<std::string> id = l.option("access_key_id"), secret = l.option("secret_access_key");
  std::optional<std::string> token = l.option("session_token");
  if (!id && !secret) {
    id = l.env("AWS_ACCESS_KEY_ID");
    secret = l.env("AWS_SECRET_ACCESS_KEY");
    token = token ? token : l.env("AWS_SESSION_TOKEN");
  }
  if (!id && !secret) {
    id = l.credentials("aws_access_key_id");
    secret = l.credentials("aws_secret_access_key");
    token = token ? token : l.credentials("aws_session_token");
  }
  if (!id || !secret)
    return Error(-EINVAL, id || secret ? "s3: an access key id and a secret key are needed together"
                                       : "s3: no credentials (options access_key_id and secret_access_key, "
                                         "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ~/.aws/credentials [" +
                                             l.profile + "]); anonymous=1 for a public bucket");
  c.credentials = {*id, *secret, token.value_or("")};
  return {};
}

bool dns_compatible(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char ch : bucket) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  }
  return true;
}

Status resolve_endpoint(const Lookup &l, S3Config &c) {
  std::optional<std::string> url = l.option("endpoint_url");
  if (!url) url = l.env("AWS_ENDPOINT_URL_S3");
  if (!url) url = l.env("AWS_ENDPOINT_URL");
  if (!url) url = l.config("endpoint_url");
  const bool custom = url.has_value();
  if (!custom) url = "https://s3." + c.region + ".amazonaws.com";
  Result<http::HttpUrl> parsed = http::parse_http_url(*url);
  if (!parsed) return Error(-EINVAL, "s3: endpoint_url '" + *url + "': " + parsed.error().message());
  c.endpoint = std::move(*parsed);
  const std::string &addressing = l.options.string("addressing");
  if (addressing != "auto" && addressing != "path" && addressing != "virtual")
    return Error(-EINVAL, "s3: addressing must be auto, path or virtual, not '" + addressing + "'");
  // Virtual hosting where AWS needs it; path style for a store at an address
  // of its own (MinIO, Ceph, s3rver, ...), as the AWS SDKs do there.
  c.path_style = addressing == "path" || (addressing == "auto" && (custom || !dns_compatible(c.bucket)));
  if (!c.path_style) c.endpoint.host = c.bucket + "." + c.endpoint.host;
  return {};
}

Status split_target(std::string_view target, S3Config &c) {
  if (target.substr(0, 2) == "//") target.remove_prefix(2);
  const size_t query = target.find('?');
  if (query != std::string_view::npos) target = target.substr(0, query);
  const size_t slash = target.find('/');
  c.bucket = std::string(target.substr(0, slash));
  c.key = slash == std::string_view::npos ? "" : std::string(target.substr(slash + 1));
  if (c.bucket.empty()) return Error(-EINVAL, "s3: no bucket in 's3:" + std::string(target) + "'");
  return {};
}

}  // namespace

std::span<const OptionSpec> s3_option_specs() { return kS3Options; }

std::string S3Config::path_of(std::string_view object_key) const {
  if (path_style) return canonical_uri_for_s3(bucket + "/" + std::string(object_key));
  return canonical_uri_for_s3(object_key);
}

ConfigSources process_config_sources() {
  ConfigSources s;
  s.env = [](const char *name) -> std::optional<std::string> {
    const char *v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  s.read_file = [](const std::string &path) -> std::optional<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  return s;
}

std::optional<std::string> ini_value(std::string_view text, std::string_view section, std::string_view name) {
  bool in_section = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_section = trim(std::string_view(line).substr(1, line.size() - 2)) == section;
      continue;
    }
    const size_t eq = line.find('=');
    if (in_section && eq != std::string::npos && trim(std::string_view(line).substr(0, eq)) == name)
      return trim(std::string_view(line).substr(eq + 1));
  }
  return std::nullopt;
}

Result<S3Config> resolve_config(const OptionValues &options, std::string_view target, const ConfigSources &sources) {
  S3Config c;
  if (Status st = split_target(target, c); !st) return st.error();
  Lookup l{options, sources, {}, {}, {}};
  l.profile = options.string("profile");
  if (l.profile.empty()) l.profile = l.env("AWS_PROFILE").value_or("default");
  l.credentials_file = sources.read_file(home_file(sources, "AWS_SHARED_CREDENTIALS_FILE", "credentials"));
  l.config_file = sources.read_file(home_file(sources, "AWS_CONFIG_FILE", "config"));
  c.anonymous = options.integer("anonymous") != 0;
  c.part_size = options.integer("part_size");
  c.max_retries = static_cast<int>(options.integer("max_retries"));
  c.parts_in_flight = static_cast<int>(options.integer("parts_in_flight"));
  std::optional<std::string> region = l.option("region");
  if (!region) region = l.env("AWS_REGION");
  if (!region) region = l.env("AWS_DEFAULT_REGION");
  if (!region) region = l.config("region");
  c.region = region.value_or("us-east-1");
  if (Status st = resolve_endpoint(l, c); !st) return st.error();
  if (Status st = resolve_credentials(l, c); !st) return st.error();
  return c;
}

}  // namespace avio::protocols::s3
