// The S3 response documents the s3 protocol reads, as typed results over the
// XML reader (xml.hpp): error documents, ListObjectsV2, and the multipart
// upload answers (AmazonS3/latest/API/ErrorResponses.html,
// API_ListObjectsV2.html, API_CreateMultipartUpload.html,
// API_CompleteMultipartUpload.html). Elements S3 may add later are ignored;
// the ones read here are checked: a required one missing, a singular one
// repeated, one with child elements where text belongs, or a malformed
// number, time or flag is kInvalidData with a detail.
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_RESPONSES_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_RESPONSES_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"

namespace avio::protocols::s3 {

// <Error>: Code is required; the rest is empty when absent.
struct S3Error {
  std::string code;          // "NoSuchKey"
  std::string message;       // "The specified key does not exist."
  std::string request_id;    // RequestId
  std::string resource;      // Resource
  std::string server_time;   // ServerTime (RequestTimeTooSkewed)
  std::string request_time;  // RequestTime (RequestTimeTooSkewed)
  std::string region;        // Region (AuthorizationHeaderMalformed, redirects)
  std::string endpoint;      // Endpoint (PermanentRedirect, TemporaryRedirect)
};
Result<S3Error> parse_error(std::string_view xml);

// One <Contents> of a listing.
struct Object {
  std::string key;            // decoded, also under EncodingType "url"
  int64_t size = 0;           // bytes
  int64_t last_modified = 0;  // Unix seconds (the fraction dropped)
  std::string etag;           // as S3 sends it, quotes included; empty when absent
};

// <ListBucketResult> of ListObjectsV2.
struct ListResult {
  std::vector<Object> objects;
  std::vector<std::string> prefixes;  // CommonPrefixes/Prefix, decoded
  bool truncated = false;             // IsTruncated ("true" or "false"; false when absent)
  std::string next_token;             // NextContinuationToken: required when truncated
  int64_t key_count = -1;             // KeyCount, -1 when absent
};
// Keys and prefixes are form-decoded ('+' is a space) when EncodingType is
// "url"; any other EncodingType is refused.
Result<ListResult> parse_list_objects_v2(std::string_view xml);

// InitiateMultipartUploadResult/UploadId (non-empty).
Result<std::string> parse_upload_id(std::string_view xml);

// CompleteMultipartUploadResult/ETag (non-empty). S3 may answer a
// CompleteMultipartUpload with 200 and an <Error> document (after sending
// whitespace to keep the connection alive): that is returned as an error
// whose code and detail are map_error(200, ...)'s code and text (parse_error
// the same body for the retryable flag).
Result<std::string> parse_complete_multipart(std::string_view xml);

// "2009-10-12T17:50:30.000Z" (an optional fraction of any length, 'Z' only,
// years 1970 to 9999) as Unix seconds.
Result<int64_t> parse_iso8601(std::string_view text);

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_RESPONSES_HPP
