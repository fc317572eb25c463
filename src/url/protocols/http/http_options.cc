#include "http_options.hpp"

#include <climits>
#include <cstdlib>

namespace avio::protocols::http {

namespace {

// FFmpeg's User-Agent ("Lavf/" and libavformat's version): servers that
// special-case FFmpeg see the same client.
constexpr std::string_view kDefaultUserAgent = "Lavf/59.27.100";

constexpr OptionSpec kHttpOptions[] = {
    {"seekable", OptionType::kInt, "-1", -1, 1, "control seekability of connection"},
    {"chunked_post", OptionType::kBool, "1", 0, 1, "use chunked transfer-encoding for posts"},
    {"http_proxy", OptionType::kString, "", 0, 0, "set HTTP proxy to tunnel through"},
    {"headers", OptionType::kString, "", 0, 0, "set custom HTTP headers, can override built in default headers"},
    {"content_type", OptionType::kString, "", 0, 0, "set a specific content type for the POST messages"},
    {"user_agent", OptionType::kString, kDefaultUserAgent, 0, 0, "override User-Agent header"},
    {"referer", OptionType::kString, "", 0, 0, "override referer header"},
    {"multiple_requests", OptionType::kInt, "-1", -1, 1, "use persistent connections"},
    {"post_data", OptionType::kBinary, "", 0, 0, "set custom HTTP post data"},
    {"mime_type", OptionType::kString, "", 0, 0, "export the MIME type", true},
    {"http_version", OptionType::kString, "", 0, 0, "export the http response version", true},
    {"cookies", OptionType::kString, "", 0, 0,
     "set cookies to be sent in applicable future requests, use newline delimited Set-Cookie HTTP field value syntax"},
    {"icy", OptionType::kBool, "1", 0, 1, "request ICY metadata"},
    {"icy_metadata_headers", OptionType::kString, "", 0, 0, "return ICY metadata headers", true},
    {"icy_metadata_packet", OptionType::kString, "", 0, 0, "return current ICY metadata packet", true},
    {"auth_type", OptionType::kString, "none", 0, 0, "HTTP authentication type (none, basic)"},
    {"send_expect_100", OptionType::kInt, "-1", -1, 1, "Force sending an Expect: 100-continue header for POST"},
    {"location", OptionType::kString, "", 0, 0, "The actual location of the data received"},
    {"offset", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "initial byte offset"},
    {"end_offset", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX),
     "try to limit the request to bytes preceding this offset"},
    {"method", OptionType::kString, "", 0, 0, "Override the HTTP method or set the expected HTTP method from a client"},
    {"reconnect", OptionType::kBool, "0", 0, 1, "auto reconnect after disconnect before EOF"},
    {"reconnect_at_eof", OptionType::kBool, "0", 0, 1, "auto reconnect at EOF"},
    {"reconnect_on_network_error", OptionType::kBool, "0", 0, 1,
     "auto reconnect in case of tcp/tls error during connect"},
    {"reconnect_on_http_error", OptionType::kString, "", 0, 0, "list of http status codes to reconnect on"},
    {"reconnect_streamed", OptionType::kBool, "0", 0, 1, "auto reconnect streamed / non seekable streams"},
    {"reconnect_delay_max", OptionType::kInt, "120", 0, UINT_MAX - 1000.0,
     "max reconnect delay in seconds after which to give up"},
    {"reconnect_max_retries", OptionType::kInt, "-1", -1, INT_MAX, "the max number of times to retry a connection"},
    {"reconnect_delay_total_max", OptionType::kInt, "256", 0, UINT_MAX - 1000.0,
     "max total reconnect delay in seconds after which to give up"},
    {"respect_retry_after", OptionType::kBool, "1", 0, 1, "respect the Retry-After header when retrying connections"},
    {"short_seek_size", OptionType::kInt, "0", 0, INT_MAX, "Threshold to favor readahead over seek."},
    {"max_redirects", OptionType::kInt, "8", 0, INT_MAX, "Maximum number of redirects"},
    // Server mode.
    {"listen", OptionType::kInt, "0", 0, 2, "listen on HTTP"},
    {"resource", OptionType::kString, "", 0, 0, "The resource requested by a client"},
    {"reply_code", OptionType::kInt, "200", INT_MIN, 599, "The http status code to return to a client"},
    // avio's limits on what a client sends a server.
    {"max_request_head", OptionType::kInt, "65536", 1024, INT_MAX, "largest request head a server reads, bytes"},
    {"request_head_timeout", OptionType::kInt64, "30000000", 0, static_cast<double>(INT64_MAX),
     "microseconds a server waits for a whole request head (0: no limit)"},
    {"request_size", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "size of requested ranges"},
    {"initial_request_size", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX),
     "size of the first requested range"},
    // avio's: what another connection to the same object knows (a block
    // cache's), so that opening one costs no request of its own.
    {"known_size", OptionType::kInt64, "-1", -1, static_cast<double>(INT64_MAX),
     "the object's size from an earlier open of it (-1: unknown); with known_version the open sends no request, and "
     "the first read's request is checked against the version"},
    {"known_version", OptionType::kString, "", 0, 0,
     "the object's ETag, or else its Last-Modified, from an earlier open of it"},
};

// "4xx,5xx,503": exact codes, and 400 / 500 standing for a whole class.
Result<std::vector<int>> parse_status_list(std::string_view list) {
  std::vector<int> codes;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "4xx" || item == "4XX") {
      codes.push_back(400);
    } else if (item == "5xx" || item == "5XX") {
      codes.push_back(500);
    } else {
      char *end = nullptr;
      const std::string text(item);
      const long code = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || code < 400 || code > 599)
        return Error(-EINVAL,
                     "http: reconnect_on_http_error: '" + text + "' is not 4xx, 5xx or a code from 400 to 599");
      codes.push_back(static_cast<int>(code));
    }
  }
  return codes;
}

Status check_values(const HttpSettings &s) {
  if (Status st = check_header_value("user_agent", s.user_agent); !st) return st;
  if (Status st = check_header_value("referer", s.referer); !st) return st;
  if (Status st = check_header_value("content_type", s.content_type); !st) return st;
  if (Status st = check_header_value("http_proxy", s.http_proxy); !st) return st;
  if (Status st = check_header_value("known_version", s.known_version); !st) return st;
  if (!s.method.empty()) {
    if (Status st = check_header_name(s.method); !st)
      return Error(-EINVAL, "http: method '" + s.method + "' is not an HTTP token");
  }
  return {};
}

Status read_reconnect(const OptionValues &o, ReconnectPolicy &r) {
  r.reconnect = o.integer("reconnect") != 0;
  r.at_eof = o.integer("reconnect_at_eof") != 0;
  r.streamed = o.integer("reconnect_streamed") != 0;
  r.on_network_error = o.integer("reconnect_on_network_error") != 0;
  r.delay_max_s = o.integer("reconnect_delay_max");
  r.max_retries = o.integer("reconnect_max_retries");
  r.delay_total_max_s = o.integer("reconnect_delay_total_max");
  r.respect_retry_after = o.integer("respect_retry_after") != 0;
  Result<std::vector<int>> codes = parse_status_list(o.string("reconnect_on_http_error"));
  if (!codes) return codes.error();
  r.on_http_error = std::move(*codes);
  return {};
}

}  // namespace

std::span<const OptionSpec> http_option_specs() { return kHttpOptions; }

bool ReconnectPolicy::retries_status(int status) const {
  for (int code : on_http_error) {
    if (code == status || (code % 100 == 0 && status / 100 == code / 100)) return true;
  }
  return false;
}

Result<HttpSettings> read_http_settings(const UrlContext &h) {
  const OptionValues &o = h.options();
  HttpSettings s;
  s.seekable = static_cast<int>(o.integer("seekable"));
  s.chunked_post = o.integer("chunked_post") != 0;
  s.multiple_requests = static_cast<int>(o.integer("multiple_requests"));
  Result<std::vector<Header>> headers = parse_header_block(o.string("headers"));
  if (!headers) return Error(headers.error().code(), "http: headers option: " + headers.error().message());
  s.headers = std::move(*headers);
  s.user_agent = o.string("user_agent");
  s.referer = o.string("referer");
  s.content_type = o.string("content_type");
  const std::span<const uint8_t> post = o.binary("post_data");
  s.post_data.assign(post.begin(), post.end());
  s.has_post_data = o.was_set("post_data");
  s.method = o.string("method");
  s.offset = o.integer("offset");
  s.end_offset = o.integer("end_offset");
  s.icy = o.integer("icy") != 0;
  s.http_proxy = o.string("http_proxy");
  const std::string &auth = o.string("auth_type");
  if (auth != "none" && auth != "basic" && auth != "0" && auth != "1")
    return Error(-EINVAL, "http: auth_type must be none or basic, not '" + auth + "'");
  s.auth_basic = auth == "basic" || auth == "1";
  s.send_expect_100 = static_cast<int>(o.integer("send_expect_100"));
  s.short_seek_size = o.integer("short_seek_size");
  s.max_redirects = static_cast<int>(o.integer("max_redirects"));
  s.request_size = o.integer("request_size");
  s.initial_request_size = o.integer("initial_request_size");
  s.known_size = o.integer("known_size");
  s.known_version = o.string("known_version");
  if (Status st = read_reconnect(o, s.reconnect); !st) return st.error();
  if (Status st = check_values(s); !st) return st.error();
  return s;
}

int http_error_code(int status) {
  switch (status) {
    case 400: return kHttpBadRequest;
    case 401: return kHttpUnauthorized;
    case 403: return kHttpForbidden;
    case 404: return kHttpNotFound;
    case 429: return kHttpTooManyRequests;
    default: break;
  }
  return status < 500 ? kHttpOther4xx : kHttpServerError;
}

}  // namespace avio::protocols::http
