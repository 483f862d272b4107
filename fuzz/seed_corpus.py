#!/usr/bin/env python3
"""Writes the protocol test vectors into every corpus directory.

Each vector becomes `corpus/<target>/seed-<name>`, so a minimised corpus
still holds them under readable names: run this again after `cargo fuzz cmin`.
"""

import os

VECTORS = {
    # RESP2
    "simple": b"+OK\r\n",
    "simple-empty": b"+\r\n",
    "error": b"-ERR unknown command 'foobar'\r\n",
    "error-wrongtype": b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    "integer": b":1000\r\n",
    "integer-negative": b":-42\r\n",
    "integer-plus": b":+7\r\n",
    "integer-min": b":-9223372036854775808\r\n",
    "integer-max": b":9223372036854775807\r\n",
    "integer-overflow": b":9223372036854775808\r\n",
    "bulk": b"$5\r\nhello\r\n",
    "bulk-empty": b"$0\r\n\r\n",
    "bulk-binary": b"$6\r\na\r\nb\x00c\r\n",
    "bulk-null": b"$-1\r\n",
    "array": b"*2\r\n$3\r\nfoo\r\n$3\r\nbar\r\n",
    "array-empty": b"*0\r\n",
    "array-null": b"*-1\r\n",
    "array-mixed": b"*5\r\n:1\r\n:2\r\n:3\r\n:4\r\n$5\r\nhello\r\n",
    "array-nested": b"*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
    "array-with-null": b"*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n",
    "array-deep": b"*1\r\n" * 20 + b":1\r\n",
    # RESP3
    "null": b"_\r\n",
    "true": b"#t\r\n",
    "false": b"#f\r\n",
    "double": b",1.23\r\n",
    "double-int": b",10\r\n",
    "double-inf": b",inf\r\n",
    "double-neg-inf": b",-inf\r\n",
    "double-nan": b",nan\r\n",
    "double-exp": b",1e10\r\n",
    "double-exp-signed": b",-1.5E-3\r\n",
    "big-number": b"(3492890328409238509324850943850943825024385\r\n",
    "big-number-negative": b"(-3492890328409238509324850943850943825024385\r\n",
    "bulk-error": b"!21\r\nSYNTAX invalid syntax\r\n",
    "verbatim": b"=15\r\ntxt:Some string\r\n",
    "verbatim-mkd": b"=8\r\nmkd:# Hi\r\n",
    "map": b"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
    "map-empty": b"%0\r\n",
    "set": b"~5\r\n+orange\r\n+apple\r\n#t\r\n:100\r\n:999\r\n",
    "attribute": b"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
    "attribute-in-array": b"*3\r\n:1\r\n:2\r\n|1\r\n+ttl\r\n:3600\r\n:3\r\n",
    "push": b">4\r\n+pubsub\r\n+message\r\n+somechannel\r\n+this is the message\r\n",
    "push-attributed": b"|1\r\n+a\r\n+b\r\n>2\r\n+message\r\n$1\r\nx\r\n",
    "streamed-string": b"$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n",
    "streamed-string-empty": b"$?\r\n;0\r\n",
    "streamed-array": b"*?\r\n:1\r\n:2\r\n:3\r\n.\r\n",
    "streamed-array-empty": b"*?\r\n.\r\n",
    "streamed-map": b"%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n",
    "streamed-set": b"~?\r\n+a\r\n+b\r\n.\r\n",
    "streamed-nested": b"*?\r\n$?\r\n;2\r\nab\r\n;0\r\n%?\r\n+k\r\n~?\r\n_\r\n.\r\n.\r\n.\r\n",
    "nested-all": b"*3\r\n%1\r\n~1\r\n#f\r\n*1\r\n,inf\r\n|1\r\n+k\r\n+v\r\n=7\r\ntxt:abc\r\n!3\r\nerr\r\n",
    # Requests
    "inline-ping": b"PING\r\n",
    "inline-set-quoted": b"SET k \"v 1\\x41\\n\" 'it\\'s'\r\n",
    "inline-lf-only": b"GET k\n",
    "inline-blank-lines": b"\r\n\n  \r\nPING\r\n",
    "request-multibulk": b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
    "request-empty": b"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n",
    # Errors
    "bad-type": b"@what\r\n",
    "bad-crlf": b"$1\r\nX!!",
    "bad-bare-lf": b"+OK\nfoo\r\n",
    "bad-length": b"$-2\r\n",
    "bad-verbatim": b"=5\r\ntxtXy\r\n",
    "bad-nested-push": b"*1\r\n>1\r\n:1\r\n",
    "bad-end": b".\r\n",
    "bad-chunk": b";1\r\na\r\n",
    "bad-map-end": b"%?\r\n+a\r\n.\r\n",
    "partial": b"*2\r\n$5\r\nhel",
}

# Several frames in one stream: what the split target is about.
VECTORS["stream-all-replies"] = b"".join(
    v for k, v in VECTORS.items() if not k.startswith(("bad-", "inline-", "request-", "partial"))
)
VECTORS["stream-pipeline"] = b"+OK\r\n:1\r\n$3\r\nfoo\r\n*2\r\n+a\r\n_\r\n>2\r\n+x\r\n+y\r\n-ERR e\r\n"

here = os.path.dirname(os.path.abspath(__file__))
for target in ("decode", "split", "roundtrip"):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in VECTORS.items():
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)
print(f"{len(VECTORS)} vectors written")
