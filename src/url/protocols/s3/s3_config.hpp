// What an s3:// open needs to know before its first request: the bucket and
// key, the endpoint and addressing style, the region, the credentials.
//
// Each setting comes from the protocol's options first, then the standard
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL,
// AWS_PROFILE), then the shared files as the AWS CLI reads them
// (~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and
// AWS_CONFIG_FILE), then the defaults (us-east-1, AWS's endpoint).
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_S3_CONFIG_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_S3_CONFIG_HPP

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "../http/http_url.hpp"
#include "avio/protocol.hpp"
#include "sigv4.hpp"

namespace avio::protocols::s3 {

std::span<const OptionSpec> s3_option_specs();

struct S3Config {
  std::string bucket;
  std::string key;  // as written after "bucket/" (not percent-decoded); "" for the bucket itself
  std::string region;
  http::HttpUrl endpoint;  // scheme, host and port requests go to (with the bucket for virtual hosting)
  bool path_style = true;  // /bucket/key (else bucket.host/key)
  bool anonymous = false;  // unsigned requests
  Credentials credentials;
  int64_t part_size = 8 << 20;
  int max_retries = 5;
  int parts_in_flight = 4;

  // The path of `key` in a request ("/bucket/key" or "/key"), encoded once.
  std::string path_of(std::string_view object_key) const;
  // "s3://bucket/key", for messages.
  std::string display() const { return "s3://" + bucket + "/" + key; }
};

// Environment and file lookups, replaceable in tests.
struct ConfigSources {
  std::function<std::optional<std::string>(const char *)> env;
  std::function<std::optional<std::string>(const std::string &path)> read_file;
};
ConfigSources process_config_sources();

// Resolves the configuration of "s3://bucket/key" (`target` is
// "//bucket/key") with the options of `h`. Errors (-EINVAL, naming the part):
// no bucket, a malformed endpoint_url, credentials that are half given, no
// credentials at all unless anonymous.
Result<S3Config> resolve_config(const OptionValues &options, std::string_view target, const ConfigSources &sources);

// The value of `name` in section `section` of an INI file as the AWS CLI
// writes them ("[default]", "[profile x]" in config, "[x]" in credentials).
std::optional<std::string> ini_value(std::string_view text, std::string_view section, std::string_view name);

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_S3_CONFIG_HPP
