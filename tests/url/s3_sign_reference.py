#!/usr/bin/python3
"""botocore as the reference SigV4 signer for tests/url/s3_sigv4_test.cc.

Reads one JSON request description a line on stdin and prints, per request,
one line "<id>\t<path>\t<result>": the URL path botocore signed and either its
Authorization header ("kind": "header") or its presigned URL's query without
the '?' ("kind": "presign"). Debian's python3-botocore (1.29), run with
/usr/bin/python3; the signing time is fixed by patching botocore.auth's
datetime, as its own tests do.

A description: id, kind, service ("s3": S3SigV4Auth / S3SigV4QueryAuth, else
SigV4Auth), method, scheme, host (with ":port" when not the default), either
"key" (S3: the decoded key, which botocore's own rule encodes into the path,
quote(key, safe='/~')) or "path" (already encoded, other services), query
(decoded [name, value] pairs), headers ([name, value] pairs, repeats allowed),
body (text, signed) or null (UNSIGNED-PAYLOAD), access_key, secret_key, token
(or ""), region, time (Unix seconds), expires (presign).
"""
import datetime
import json
import sys
from unittest import mock
from urllib.parse import quote

try:
    from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
except ImportError as e:  # the test fails on this: it never skips
    sys.exit("s3_sign_reference: botocore is missing (apt-get install python3-botocore): %s" % e)


def request_of(d):
    if d["service"] == "s3":
        path = "/" + quote(d["key"].encode("utf-8"), safe="/~")
    else:
        path = d["path"]
    url = "%s://%s%s" % (d["scheme"], d["host"], path)
    body = d["body"]
    request = AWSRequest(method=d["method"], url=url, data=body.encode("utf-8") if body is not None else b"")
    request.params = [(k, v) for k, v in d["query"]]
    for name, value in d["headers"]:
        request.headers[name] = value  # HTTPHeaders: assignment adds a field, repeats kept
    request.context["client_config"] = Config(s3={"payload_signing_enabled": body is not None})
    return request, path


def sign(d):
    credentials = Credentials(d["access_key"], d["secret_key"], d["token"] or None)
    request, path = request_of(d)
    if d["kind"] == "presign":
        signer = S3SigV4QueryAuth(credentials, d["service"], d["region"], expires=d["expires"])
    elif d["service"] == "s3":
        signer = S3SigV4Auth(credentials, d["service"], d["region"])
    else:
        signer = SigV4Auth(credentials, d["service"], d["region"])
    when = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=d["time"])
    with mock.patch("botocore.auth.datetime") as fake:
        fake.datetime.utcnow.return_value = when
        signer.add_auth(request)
    if d["kind"] == "presign":
        return path, request.url.split("?", 1)[1]
    return path, request.headers["Authorization"]


def main():
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        d = json.loads(line.decode("utf-8"))
        path, result = sign(d)
        sys.stdout.write("%d\t%s\t%s\n" % (d["id"], path, result))


if __name__ == "__main__":
    main()
