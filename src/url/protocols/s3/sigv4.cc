#include "sigv4.hpp"

#include <array>

#include "../../civil_time.hpp"
#include "../http/message.hpp"
#include "digest.hpp"

namespace avio::protocols::s3 {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr int64_t kEndOfYear9999 = 253402300800;  // 10000-01-01T00:00:00Z

// The headers sign_request writes itself.
constexpr std::array<std::string_view, 5> kSignerHeaders = {"host", "authorization", "x-amz-date",
                                                            "x-amz-content-sha256", "x-amz-security-token"};
// The query parameters presign writes itself.
constexpr std::array<std::string_view, 7> kPresignParameters = {
    "X-Amz-Algorithm",     "X-Amz-Credential",     "X-Amz-Date",     "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"};

Error invalid(std::string detail) { return Error::invalid_argument("s3: " + std::move(detail)); }

bool is_visible(char c) { return c > 0x20 && c < 0x7f; }

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool every_char(std::string_view s, bool (*pred)(char)) {
  for (const char c : s)
    if (!pred(c)) return false;
  return true;
}

// A scope part (region, service) or an access key: visible ASCII without the
// separators of the Credential field.
bool is_scope_char(char c) { return is_visible(c) && c != '/' && c != ','; }

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

Status check_payload_hash(std::string_view hash) {
  if (hash == kUnsignedPayload || (hash.substr(0, 10) == "STREAMING-" && every_char(hash, is_visible))) return {};
  if (hash.size() == 64 && every_char(hash, is_lower_hex)) return {};
  return invalid("the payload hash must be 64 lowercase hex digits or UNSIGNED-PAYLOAD, not \"" + std::string(hash) +
                 "\"");
}

Status check_credentials(const Credentials &credentials) {
  if (credentials.access_key.empty() || !every_char(credentials.access_key, is_scope_char))
    return invalid("the access key is empty or holds '/', ',', a space or a control character");
  if (credentials.secret_key.empty()) return invalid("the secret key is empty");
  if (credentials.session_token.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
    return invalid("the session token holds CR, LF or NUL");
  return {};
}

Status check_scope(std::string_view region, std::string_view service, int64_t unix_time) {
  if (region.empty() || !every_char(region, is_scope_char))
    return invalid("invalid region \"" + std::string(region) + "\"");
  if (service.empty() || !every_char(service, is_scope_char))
    return invalid("invalid service \"" + std::string(service) + "\"");
  if (unix_time < 0 || unix_time >= kEndOfYear9999)
    return invalid("the signing time " + std::to_string(unix_time) + " is out of range");
  return {};
}

Status check_request(const SigningRequest &request) {
  if (request.method.empty() || !every_char(request.method, is_token_char))
    return invalid("the method \"" + request.method + "\" is not a token");
  if (request.host.empty() || !every_char(request.host, is_visible))
    return invalid("the host \"" + request.host + "\" is empty or holds a space or a control character");
  for (const auto &header : request.headers) {
    for (const std::string_view own : kSignerHeaders) {
      if (http::iequals(header.first, own))
        return invalid("the signer writes the " + std::string(own) + " header; it may not be given");
    }
  }
  return {};
}

Status check_all(const SigningRequest &request, const Credentials &credentials, std::string_view region,
                 std::string_view service, int64_t unix_time) {
  if (Status st = check_request(request); !st) return st;
  if (Status st = check_credentials(credentials); !st) return st;
  return check_scope(region, service, unix_time);
}

// The signature of `request` (its headers complete) at `date`, and its parts.
Result<SignatureParts> signature_of(const SigningRequest &request, const Credentials &credentials,
                                    std::string_view region, std::string_view service, std::string_view date) {
  auto creq = canonical_request(request);
  if (!creq) return creq.error();
  SignatureParts parts;
  parts.canonical_request = std::move(*creq);
  parts.string_to_sign = string_to_sign(date, credential_scope(date, region, service), parts.canonical_request);
  const std::string key = signing_key(credentials.secret_key, date.substr(0, 8), region, service);
  parts.signature = hex(hmac_sha256(key, parts.string_to_sign));
  return parts;
}

// The lowercase names of the signed headers ("host;x-amz-date").
std::string signed_header_list(const SigningRequest &request) {
  auto headers = canonical_headers(request.host, request.headers);
  return headers ? headers->signed_headers : std::string();
}

void append_parameter(std::string &query, std::string_view name, std::string_view value) {
  if (!query.empty()) query += '&';
  query.append(uri_encode(name, true)).append("=").append(uri_encode(value, true));
}

Status check_presign(const SigningRequest &request, int64_t expires) {
  if (expires < 1 || expires > kMaxPresignSeconds)
    return invalid("a presigned URL expires in 1 to 604800 seconds, not " + std::to_string(expires));
  for (const auto &parameter : request.query) {
    for (const std::string_view own : kPresignParameters) {
      if (http::iequals(parameter.first, own))
        return invalid("the presigner writes the " + std::string(own) + " parameter; it may not be given");
    }
  }
  if (request.payload_sha256.empty()) return {};
  return check_payload_hash(request.payload_sha256);
}

// The X-Amz-* parameters of a presigned URL but its signature, in the order
// they are sent.
Pairs presign_parameters(const SigningRequest &request, const Credentials &credentials, std::string_view scope,
                         std::string_view date, int64_t expires) {
  Pairs out = {{"X-Amz-Algorithm", std::string(kAlgorithm)},
               {"X-Amz-Credential", credentials.access_key + "/" + std::string(scope)},
               {"X-Amz-Date", std::string(date)},
               {"X-Amz-Expires", std::to_string(expires)},
               {"X-Amz-SignedHeaders", signed_header_list(request)}};
  if (!credentials.session_token.empty()) out.emplace_back("X-Amz-Security-Token", credentials.session_token);
  return out;
}

// Appends `value` (0 <= value < 10^width) as exactly `width` decimal digits.
void append_digits(std::string &out, int64_t value, int width) {
  std::string digits(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0 && value > 0; --i, value /= 10)
    digits[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  out += digits;
}

}  // namespace

std::string amz_date(int64_t unix_time) {
  const int64_t days = url_internal::day_of(unix_time);
  const int64_t secs = unix_time - days * 86400;
  const auto [year, month, day] = url_internal::civil_from_days(days);
  std::string out;
  append_digits(out, year, 4);
  append_digits(out, month, 2);
  append_digits(out, day, 2);
  out += 'T';
  append_digits(out, secs / 3600, 2);
  append_digits(out, secs / 60 % 60, 2);
  append_digits(out, secs % 60, 2);
  out += 'Z';
  return out;
}

std::string credential_scope(std::string_view amz_date, std::string_view region, std::string_view service) {
  std::string out(amz_date.substr(0, 8));
  out.append("/").append(region).append("/").append(service).append("/aws4_request");
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.append("\n").append(amz_date).append("\n").append(scope).append("\n").append(sha256_hex(canonical_request));
  return out;
}

std::string signing_key(std::string_view secret_key, std::string_view date, std::string_view region,
                        std::string_view service) {
  const std::string k_date = hmac_sha256("AWS4" + std::string(secret_key), date);
  const std::string k_region = hmac_sha256(k_date, region);
  const std::string k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

Result<HeaderSigning> sign_request(const SigningRequest &request, const Credentials &credentials,
                                   std::string_view region, std::string_view service, int64_t unix_time) {
  if (Status st = check_all(request, credentials, region, service, unix_time); !st) return st.error();
  if (Status st = check_payload_hash(request.payload_sha256); !st) return st.error();
  const std::string date = amz_date(unix_time);
  SigningRequest full = request;
  full.headers.emplace_back("x-amz-date", date);
  if (request.rules == ServiceRules::kS3) full.headers.emplace_back("x-amz-content-sha256", request.payload_sha256);
  if (!credentials.session_token.empty()) full.headers.emplace_back("x-amz-security-token", credentials.session_token);
  auto parts = signature_of(full, credentials, region, service, date);
  if (!parts) return parts.error();
  std::string authorization(kAlgorithm);
  authorization.append(" Credential=").append(credentials.access_key).append("/");
  authorization.append(credential_scope(date, region, service));
  authorization.append(", SignedHeaders=").append(signed_header_list(full));
  authorization.append(", Signature=").append(parts->signature);
  HeaderSigning out{std::move(*parts), std::move(full.headers)};
  out.headers.emplace_back("Authorization", std::move(authorization));
  return out;
}

Result<Pairs> sign_headers(const SigningRequest &request, const Credentials &credentials, std::string_view region,
                           std::string_view service, int64_t unix_time) {
  auto signing = sign_request(request, credentials, region, service, unix_time);
  if (!signing) return signing.error();
  return std::move(signing->headers);
}

Result<QuerySigning> presign(const SigningRequest &request, const Credentials &credentials, std::string_view region,
                             std::string_view service, int64_t unix_time, int64_t expires) {
  if (Status st = check_all(request, credentials, region, service, unix_time); !st) return st.error();
  if (Status st = check_presign(request, expires); !st) return st.error();
  const std::string date = amz_date(unix_time);
  const Pairs parameters =
      presign_parameters(request, credentials, credential_scope(date, region, service), date, expires);
  SigningRequest full = request;
  full.query.insert(full.query.end(), parameters.begin(), parameters.end());
  if (full.payload_sha256.empty()) full.payload_sha256 = kUnsignedPayload;
  auto parts = signature_of(full, credentials, region, service, date);
  if (!parts) return parts.error();
  QuerySigning out{std::move(*parts), {}};
  for (const auto &[name, value] : full.query) append_parameter(out.query, name, value);
  append_parameter(out.query, "X-Amz-Signature", out.parts.signature);
  return out;
}

Result<std::string> presign_query(const SigningRequest &request, const Credentials &credentials,
                                  std::string_view region, std::string_view service, int64_t unix_time,
                                  int64_t expires) {
  auto signing = presign(request, credentials, region, service, unix_time, expires);
  if (!signing) return signing.error();
  return std::move(signing->query);
}

}  // namespace avio::protocols::s3
