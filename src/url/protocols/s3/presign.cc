// avio::s3_presign (include/avio/s3.hpp): the s3 protocol's configuration
// chain (s3_config.hpp) and SigV4's query signing (sigv4.hpp), without a
// request.
#include <ctime>

#include "avio/s3.hpp"
#include "avio/url.hpp"
#include "s3_config.hpp"
#include "sigv4.hpp"

namespace avio {

namespace {

using protocols::s3::S3Config;

bool declared_in(std::span<const OptionSpec> specs, std::string_view name) {
  for (const OptionSpec &spec : specs)
    if (spec.name == name) return true;
  return false;
}

// An option of the protocols an s3 open nests, or of every URL: meant for an
// open, harmless here.
bool nested_option(std::string_view name) {
  if (declared_in(url_context_options(), name)) return true;
  for (const char *protocol : {"http", "https", "tls", "tcp", "httpproxy"})
    if (declared_in(protocol_options(protocol), name)) return true;
  return false;
}

Result<OptionValues> s3_option_values(const Dictionary &options) {
  OptionValues values(protocols::s3::s3_option_specs());
  Dictionary rest = options;
  if (Status st = values.take_from(rest); !st) return st.error();
  for (const auto &entry : rest.entries())
    if (!nested_option(entry.first))
      return Error(kOptionNotFound, "s3_presign: '" + entry.first + "' is not an option of s3");
  return values;
}

Result<S3Config> config_of(std::string_view s3_url, const Dictionary &options) {
  if (s3_url.substr(0, 3) != "s3:")
    return Error(-EINVAL, "s3_presign: '" + std::string(s3_url) + "' is not an s3:// URL");
  Result<OptionValues> values = s3_option_values(options);
  if (!values) return values.error();
  Result<S3Config> config =
      protocols::s3::resolve_config(*values, s3_url.substr(3), protocols::s3::process_config_sources());
  if (!config) return config.error();
  if (config->anonymous) return Error(-EINVAL, "s3_presign: anonymous=1 leaves nothing to sign with");
  if (config->key.empty()) return Error(-EINVAL, "s3_presign: " + config->display() + " names no object");
  return config;
}

}  // namespace

Result<std::string> s3_presign(std::string_view s3_url, const Dictionary &options, int64_t expires_seconds,
                               std::string_view method, int64_t now_unix) {
  Result<S3Config> config = config_of(s3_url, options);
  if (!config) return config.error();
  protocols::s3::SigningRequest request;
  request.method = std::string(method);
  request.host = config->endpoint.authority();
  request.path = config->path_of(config->key);  // as the protocol's own requests send it
  // No payload hash: a presigned URL signs UNSIGNED-PAYLOAD.
  const int64_t now = now_unix == -1 ? static_cast<int64_t>(std::time(nullptr)) : now_unix;
  Result<std::string> query =
      protocols::s3::presign_query(request, config->credentials, config->region, "s3", now, expires_seconds);
  if (!query) return Error(query.error().code(), "s3_presign: " + query.error().message());
  return config->endpoint.scheme + "://" + request.host + request.path + "?" + *query;
}

}  // namespace avio
