// The XML reader and the S3 response documents (src/url/protocols/s3/xml.hpp,
// responses.hpp, error_map.hpp), over documents shaped as S3 sends them
// (AmazonS3/latest/API/ErrorResponses.html, API_ListObjectsV2.html,
// API_CreateMultipartUpload.html, API_CompleteMultipartUpload.html).
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "protocols/s3/error_map.hpp"
#include "protocols/s3/responses.hpp"
#include "protocols/s3/xml.hpp"

namespace {

namespace s3 = avio::protocols::s3;

// ---- the reader ---------------------------------------------------------------

s3::XmlElement parse_ok(std::string_view xml) {
  auto r = s3::parse_xml(xml);
  EXPECT_TRUE(r.ok()) << xml << ": " << r.error().message();
  return r.ok() ? *r : s3::XmlElement{};
}

// The detail of a refused document (and checks its code).
std::string parse_fails(std::string_view xml, const s3::XmlLimits &limits = {}) {
  auto r = s3::parse_xml(xml, limits);
  EXPECT_FALSE(r.ok()) << "accepted: " << xml;
  if (r.ok()) return {};
  EXPECT_TRUE(r.error().code() == avio::kInvalidData || r.error().code() == -EMSGSIZE) << r.error().code();
  return std::string(r.error().detail());
}

TEST(S3Xml, ReadsElementsAndText) {
  const s3::XmlElement root =
      parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x='1' y=\"2\"><b>one</b><c/><b> two </b></a>\n");
  EXPECT_EQ(root.name, "a");
  ASSERT_EQ(root.children.size(), 3u);
  EXPECT_EQ(root.child("b")->text, "one");
  EXPECT_EQ(root.children_named("b").size(), 2u);
  EXPECT_EQ(root.children_named("b")[1]->text, " two ");  // text is not trimmed: keys may end in spaces
  EXPECT_TRUE(root.child("c")->children.empty());
  EXPECT_EQ(root.child("d"), nullptr);
  EXPECT_EQ(root.text, "");
}

TEST(S3Xml, DecodesReferencesAndCdata) {
  const s3::XmlElement root =
      parse_ok("<k>a&amp;b&lt;c&gt;d&apos;e&quot;f&#65;&#x42;&#xe9;&#x1F600;<![CDATA[<x>&amp;]]>z</k>");
  EXPECT_EQ(root.text, "a&b<c>d'e\"fAB\xC3\xA9\xF0\x9F\x98\x80<x>&amp;z");
}

TEST(S3Xml, NormalisesLineEndsButKeepsReferencedCarriageReturns) {
  EXPECT_EQ(parse_ok("<k>a\r\nb\rc\nd&#13;e</k>").text, "a\nb\nc\nd\re");
}

TEST(S3Xml, IgnoresNamespacesCommentsAndProcessingInstructions) {
  const s3::XmlElement root = parse_ok(
      "\xEF\xBB\xBF<?xml version=\"1.0\"?><!-- c --><?pi data?><s3:R xmlns:s3=\"urn:x\"><!-- in -->"
      "<s3:Key>k</s3:Key><?other?></s3:R><!-- after -->\n");
  EXPECT_EQ(root.name, "R");
  EXPECT_EQ(root.child("Key")->text, "k");
}

TEST(S3Xml, AcceptsS3KeepAliveWhitespaceBeforeTheDeclaration) {
  EXPECT_EQ(parse_ok("  \n\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R/>").name, "R");
}

TEST(S3Xml, RefusesDtdsAndUnknownEntities) {
  EXPECT_NE(parse_fails("<!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;</r>").find("DTD"), std::string::npos);
  EXPECT_NE(parse_fails("<r>&x;</r>").find("undefined entity"), std::string::npos);
  parse_fails("<r><!ENTITY x \"y\"></r>");
  parse_fails("<r>&#0;</r>");
  parse_fails("<r>&#xD800;</r>");
  parse_fails("<r>&#x110000;</r>");
  parse_fails("<r>&#12345678;</r>");
  parse_fails("<r>&#x;</r>");
  parse_fails("<r>&amp</r>");
  parse_fails("<r>& amp;</r>");
}

// Stopped at the DOCTYPE, before expat reads a declaration: no entity is
// expanded and nothing is fetched.
TEST(S3Xml, RefusesEntityBombsAndExternalEntities) {
  std::string bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY e0 \"lol\">";
  for (int i = 1; i < 10; ++i) {
    bomb += "<!ENTITY e" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) bomb += "&e" + std::to_string(i - 1) + ";";
    bomb += "\">";
  }
  bomb += "]><r>&e9;</r>";
  for (const std::string &bad : {
           bomb,
           std::string("<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r/>"),
           std::string("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"),
           std::string("<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/x.dtd\"> %p;]><r/>"),
           std::string("<!DOCTYPE r PUBLIC \"-//x//y\" \"http://127.0.0.1:1/x.dtd\"><r/>"),
       }) {
    const std::string detail = parse_fails(bad);
    EXPECT_NE(detail.find("DTD"), std::string::npos) << detail;
  }
}

TEST(S3Xml, NamesTheByteOffset) {
  EXPECT_EQ(parse_fails("<r></s>"), "xml: mismatched tag at byte 5");
  // Counted in the document as given, S3's leading whitespace included.
  EXPECT_EQ(parse_fails(" \n <r></s>"), "xml: mismatched tag at byte 8");
  EXPECT_EQ(parse_fails("<r/>x"), "xml: junk after document element at byte 4");
}

TEST(S3Xml, PrefixesMustBeDeclared) {
  EXPECT_EQ(parse_ok("<p:r xmlns:p='u'><p:k/></p:r>").child("k")->name, "k");
  EXPECT_NE(parse_fails("<p:r/>").find("unbound prefix"), std::string::npos);
  parse_fails("<p:1r xmlns:p='u'/>");  // its local name would be no name
  parse_fails("<r p:a='1' q:a='2' xmlns:p='u' xmlns:q='u'/>");
}

TEST(S3Xml, RefusesMalformedStructure) {
  for (const char *bad : {"",
                          "   ",
                          "text",
                          "<r>",
                          "<r></s>",
                          "<r><a></r></a>",
                          "<r/><r/>",
                          "<r/>x",
                          "x<r/>",
                          "</r>",
                          "<r></r></r>",
                          "<1r/>",
                          "<r a=1/>",
                          "<r a='1' a='2'/>",
                          "<r a='1'b='2'/>",
                          "<r a='<'/>",
                          "<r>]]></r>",
                          "<r><![CDATA[x</r>",
                          "<r><!-- a -- b --></r>",
                          "<r><!-- x</r>",
                          "<r/><?xml version='1.0'?>",
                          "<?xml version='1.0' encoding='latin1'?><r/>",
                          "<?xml version='1.0' encoding='UTF-16'?><r/>",
                          "<?xml version='2.0'?><r/>",
                          "<?xml encoding='UTF-8'?><r/>",
                          "<r:/>",
                          "<r",
                          "<r a='x"}) {
    parse_fails(bad);
  }
}

TEST(S3Xml, RefusesInvalidUtf8AndControlCharacters) {
  parse_fails("<r>\xC3</r>");                   // truncated sequence
  parse_fails("<r>\xC0\xAF</r>");               // overlong
  parse_fails("<r>\xED\xA0\x80</r>");           // a surrogate
  parse_fails("<r>\xEF\xBF\xBE</r>");           // U+FFFE
  parse_fails("<r>\xF4\x90\x80\x80</r>");       // beyond U+10FFFF
  parse_fails(std::string("<r>a\0b</r>", 10));  // NUL
  parse_fails("<r>\x01</r>");
  EXPECT_EQ(parse_ok("<r>\t\x7f</r>").text, "\t\x7f");
}

TEST(S3Xml, EnforcesLimits) {
  s3::XmlLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(s3::parse_xml("<a><b><c/></b></a>", limits).ok());
  EXPECT_NE(parse_fails("<a><b><c><d/></c></b></a>", limits).find("deep"), std::string::npos);
  limits = {};
  limits.max_elements = 3;
  EXPECT_TRUE(s3::parse_xml("<a><b/><c/></a>", limits).ok());
  parse_fails("<a><b/><c/><d/></a>", limits);
  // Refused as the element arrives: what follows is never read.
  EXPECT_NE(parse_fails("<a><b/><c/><d/><", limits).find("too many elements"), std::string::npos);
  limits = {};
  limits.max_attributes = 1;
  parse_fails("<a x='1' y='2'/>", limits);
  parse_fails("<a xmlns='u' x='1'/>", limits);  // a namespace declaration counts
  limits = {};
  limits.max_bytes = 8;
  auto r = s3::parse_xml("<a>long</a>", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -EMSGSIZE);
  // The default depth bounds what any input can nest.
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "<a>";
  EXPECT_NE(parse_fails(deep).find("deep"), std::string::npos);
}

// ---- error documents ----------------------------------------------------------

constexpr std::string_view kNoSuchKey = R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The specified key does not exist.</Message>
  <Key>photos/2006/February/sample.jpg</Key>
  <RequestId>4442587FB7D0A2F9</RequestId>
  <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
  <Resource>/mybucket/photos/2006/February/sample.jpg</Resource>
</Error>
)";

constexpr std::string_view kSkewed =
    R"(<?xml version="1.0" encoding="UTF-8"?>)"
    "\n<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current "
    "time is too large.</Message><RequestTime>20240102T030405Z</RequestTime><ServerTime>2024-01-02T03:25:07Z"
    "</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds><RequestId>7A1B</RequestId>"
    "<HostId>h</HostId></Error>";

constexpr std::string_view kRedirect =
    "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using "
    "the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>"
    "examplebucket.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>examplebucket</Bucket><RequestId>R1</RequestId>"
    "</Error>";

s3::S3Error error_ok(std::string_view xml) {
  auto r = s3::parse_error(xml);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : s3::S3Error{};
}

TEST(S3ErrorDocument, Parses) {
  const s3::S3Error e = error_ok(kNoSuchKey);
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The specified key does not exist.");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(e.resource, "/mybucket/photos/2006/February/sample.jpg");
  EXPECT_EQ(e.server_time, "");
  const s3::S3Error skew = error_ok(kSkewed);
  EXPECT_EQ(skew.server_time, "2024-01-02T03:25:07Z");
  EXPECT_EQ(skew.request_time, "20240102T030405Z");
  EXPECT_EQ(error_ok(kRedirect).endpoint, "examplebucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(error_ok("<Error><Code>SlowDown</Code></Error>").message, "");
}

TEST(S3ErrorDocument, RefusesWhatIsNotOne) {
  for (const char *bad : {"<Error/>", "<Error><Code></Code></Error>", "<Error><Message>m</Message></Error>",
                          "<Error><Code>A</Code><Code>B</Code></Error>", "<Error><Code><x/></Code></Error>",
                          "<Other><Code>A</Code></Other>", "<Error><Code>A</Code>", "not xml"}) {
    auto r = s3::parse_error(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), avio::kInvalidData) << bad;
    }
  }
}

TEST(S3ErrorMap, CodesAndTexts) {
  s3::ErrorMapping m = s3::map_error(404, error_ok(kNoSuchKey));
  EXPECT_EQ(m.code, -ENOENT);
  EXPECT_FALSE(m.retryable);
  EXPECT_EQ(m.text, "s3: NoSuchKey: The specified key does not exist. (request id 4442587FB7D0A2F9)");
  EXPECT_EQ(s3::map_error(404, {"NoSuchBucket", "m", "", "", "", "", "", ""}).code, -ENOENT);
  for (const char *code : {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"}) {
    m = s3::map_error(403, {code, "no", "R", "", "", "", "", ""});
    EXPECT_EQ(m.code, -EACCES) << code;
    EXPECT_FALSE(m.retryable) << code;
    EXPECT_EQ(m.text, "s3: " + std::string(code) + ": no (request id R)");
  }
  m = s3::map_error(416, {"InvalidRange", "The requested range is not satisfiable", "", "", "", "", "", ""});
  EXPECT_EQ(m.code, -EINVAL);
  EXPECT_EQ(m.text, "s3: InvalidRange: The requested range is not satisfiable");
}

TEST(S3ErrorMap, ClockSkewNamesTheServerTime) {
  const s3::ErrorMapping m = s3::map_error(403, error_ok(kSkewed));
  EXPECT_EQ(m.code, -EACCES);
  EXPECT_FALSE(m.retryable);
  EXPECT_NE(m.text.find("clock skew"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("2024-01-02T03:25:07Z"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("(request id 7A1B)"), std::string::npos) << m.text;
  EXPECT_NE(s3::map_error(403, {"RequestTimeTooSkewed", "", "", "", "", "", "", ""}).text.find("clock"),
            std::string::npos);
}

TEST(S3ErrorMap, RetryableErrors) {
  for (const char *code : {"SlowDown", "InternalError", "ServiceUnavailable"}) {
    const s3::ErrorMapping m = s3::map_error(503, {code, "", "", "", "", "", "", ""});
    EXPECT_TRUE(m.retryable) << code;
    EXPECT_EQ(m.code, avio::kHttpServerError) << code;
  }
  // An <Error> inside a 200 (CompleteMultipartUpload).
  s3::ErrorMapping m =
      s3::map_error(200, {"InternalError", "We encountered an internal error.", "", "", "", "", "", ""});
  EXPECT_TRUE(m.retryable);
  EXPECT_EQ(m.code, avio::kHttpServerError);
  m = s3::map_error(400, {"RequestTimeout", "", "", "", "", "", "", ""});
  EXPECT_TRUE(m.retryable);
  EXPECT_EQ(m.code, avio::kHttpBadRequest);
  m = s3::map_error(429, {"SomethingNew", "", "", "", "", "", "", ""});
  EXPECT_TRUE(m.retryable);
  EXPECT_EQ(m.code, avio::kHttpTooManyRequests);
}

TEST(S3ErrorMap, OtherCodesGoByStatus) {
  const auto code_of = [](int status) { return s3::map_error(status, {"Unknown", "", "", "", "", "", "", ""}).code; };
  EXPECT_EQ(code_of(400), avio::kHttpBadRequest);
  EXPECT_EQ(code_of(401), avio::kHttpUnauthorized);
  EXPECT_EQ(code_of(403), avio::kHttpForbidden);
  EXPECT_EQ(code_of(404), avio::kHttpNotFound);
  EXPECT_EQ(code_of(409), avio::kHttpOther4xx);
  EXPECT_EQ(code_of(501), avio::kHttpServerError);
  EXPECT_EQ(code_of(200), -EIO);
  EXPECT_FALSE(s3::map_error(501, {"NotImplemented", "", "", "", "", "", "", ""}).retryable);
  EXPECT_TRUE(s3::map_error(502, {"Unknown", "", "", "", "", "", "", ""}).retryable);
  const s3::ErrorMapping redirect = s3::map_error(301, error_ok(kRedirect));
  EXPECT_EQ(redirect.code, -EIO);
  EXPECT_NE(redirect.text.find("examplebucket.s3.eu-west-1.amazonaws.com"), std::string::npos) << redirect.text;
}

// ---- ListObjectsV2 ------------------------------------------------------------

constexpr std::string_view kListing = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix>photos/</Prefix>
  <KeyCount>4</KeyCount>
  <MaxKeys>4</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents>
    <Key>photos/a &amp; b.jpg</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
  </Contents>
  <Contents>
    <Key> photos/space </Key>
    <LastModified>2024-02-29T23:59:59Z</LastModified>
    <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
    <Size>0</Size>
    <ChecksumAlgorithm>CRC32</ChecksumAlgorithm>
  </Contents>
  <CommonPrefixes><Prefix>photos/2006/</Prefix></CommonPrefixes>
  <CommonPrefixes><Prefix>photos/2007/</Prefix></CommonPrefixes>
</ListBucketResult>
)";

TEST(S3ListObjectsV2, Parses) {
  auto r = s3::parse_list_objects_v2(kListing);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->objects.size(), 2u);
  EXPECT_EQ(r->objects[0].key, "photos/a & b.jpg");
  EXPECT_EQ(r->objects[0].size, 434234);
  EXPECT_EQ(r->objects[0].last_modified, 1255369830);
  EXPECT_EQ(r->objects[0].etag, "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(r->objects[1].key, " photos/space ");
  EXPECT_EQ(r->objects[1].size, 0);
  EXPECT_EQ(r->objects[1].last_modified, 1709251199);
  EXPECT_EQ(r->prefixes, (std::vector<std::string>{"photos/2006/", "photos/2007/"}));
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  EXPECT_EQ(r->key_count, 4);
}

TEST(S3ListObjectsV2, EmptyAndLastPages) {
  auto r = s3::parse_list_objects_v2(
      "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->objects.empty());
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->key_count, 0);
  r = s3::parse_list_objects_v2("<ListBucketResult/>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->key_count, -1);
}

TEST(S3ListObjectsV2, DecodesUrlEncodedKeys) {
  auto r = s3::parse_list_objects_v2(
      "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>my+file%2B1%25%01.txt</Key><Size>1</Size>"
      "<LastModified>2020-01-01T00:00:00.5Z</LastModified></Contents><CommonPrefixes><Prefix>a%20b/</Prefix>"
      "</CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->objects[0].key, "my file+1%\x01.txt");
  EXPECT_EQ(r->objects[0].etag, "");
  EXPECT_EQ(r->objects[0].last_modified, 1577836800);
  EXPECT_EQ(r->prefixes[0], "a b/");
}

TEST(S3ListObjectsV2, RefusesMalformedListings) {
  const std::string ok_contents = "<Key>k</Key><Size>1</Size><LastModified>2020-01-01T00:00:00Z</LastModified>";
  for (const std::string &bad : {
           std::string("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
           std::string("<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>"),
           std::string("<ListBucketResult><KeyCount>-1</KeyCount></ListBucketResult>"),
           std::string("<ListBucketResult><EncodingType>base64</EncodingType></ListBucketResult>"),
           std::string("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"),
           "<ListBucketResult><Contents>" + ok_contents + "<Size>2</Size></Contents></ListBucketResult>",
           std::string("<ListBucketResult><Contents><Key>k</Key><Size>1x</Size><LastModified>2020-01-01T00:00:00Z"
                       "</LastModified></Contents></ListBucketResult>"),
           std::string("<ListBucketResult><Contents><Key>k</Key><Size>1</Size><LastModified>yesterday"
                       "</LastModified></Contents></ListBucketResult>"),
           std::string("<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%zz</Key><Size>1</Size>"
                       "<LastModified>2020-01-01T00:00:00Z</LastModified></Contents></ListBucketResult>"),
           std::string("<ListAllMyBucketsResult/>"),
       }) {
    auto r = s3::parse_list_objects_v2(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), avio::kInvalidData) << bad;
    }
  }
}

TEST(S3Iso8601, ParsesS3Times) {
  EXPECT_EQ(*s3::parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*s3::parse_iso8601("2009-10-12T17:50:30.000Z"), 1255369830);
  EXPECT_EQ(*s3::parse_iso8601("2000-02-29T12:00:00.123456789Z"), 951825600);
  for (const char *bad : {"2009-10-12T17:50:30", "2009-10-12T17:50:30+00:00", "2009-10-12 17:50:30Z",
                          "2001-02-29T00:00:00Z", "2009-13-01T00:00:00Z", "2009-10-12T24:00:00Z",
                          "2009-10-12T17:50:30.Z", "2009-10-12T17:50:3aZ", "1969-12-31T23:59:59Z", "", "Z"}) {
    EXPECT_FALSE(s3::parse_iso8601(bad).ok()) << bad;
  }
}

// ---- multipart uploads --------------------------------------------------------

TEST(S3Multipart, UploadId) {
  auto r = s3::parse_upload_id(R"(<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>)");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  EXPECT_FALSE(s3::parse_upload_id("<InitiateMultipartUploadResult><UploadId/></InitiateMultipartUploadResult>").ok());
  EXPECT_FALSE(s3::parse_upload_id("<Error><Code>AccessDenied</Code></Error>").ok());
}

TEST(S3Multipart, CompleteGivesTheEtag) {
  auto r = s3::parse_complete_multipart(R"(<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>https://example-bucket.s3.amazonaws.com/example-object</Location>
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>)");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "\"3858f62230ac3c915f300c664312c11f-9\"");
}

TEST(S3Multipart, AnErrorInsideA200IsAnError) {
  // S3 sends whitespace while it works, then the document.
  auto r = s3::parse_complete_multipart(
      "      \n      \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We "
      "encountered an internal error. Please try again.</Message><RequestId>656c76696e6727732072657175657374"
      "</RequestId><HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), avio::kHttpServerError);
  EXPECT_EQ(r.error().detail(),
            "s3: InternalError: We encountered an internal error. Please try again. (request id "
            "656c76696e6727732072657175657374)");
  r = s3::parse_complete_multipart("<Error><Code>NoSuchUpload</Code></Error>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -ENOENT);
  r = s3::parse_complete_multipart("<CompleteMultipartUploadResult/>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), avio::kInvalidData);
  r = s3::parse_complete_multipart("<Other/>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), avio::kInvalidData);
}

}  // namespace
