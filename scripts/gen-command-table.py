#!/usr/bin/env python3
"""Generates resp-core/src/command/table.rs from a real redis-server.

Usage (from anywhere in the workspace):

    python3 scripts/gen-command-table.py            # regenerates the file
    python3 scripts/gen-command-table.py --check    # exit 1 if the file is stale
    python3 scripts/gen-command-table.py --compare-cli
        # also compares every rendered `syntax` with redis-cli's built-in help

Options: --server PATH (default: $REDIS_SERVER_BIN or `redis-server`),
--cli PATH (default: $REDIS_CLI_BIN or `redis-cli`), --output PATH,
--no-rustfmt.

The script starts a temporary redis-server (127.0.0.1, a free port,
`--save ''`, a temporary `--dir`), asks it for `COMMAND INFO` and
`COMMAND DOCS` over RESP3 (spoken directly on a socket, no dependencies),
probes which commands are `may_replicate` (a flag COMMAND INFO hides, see
`probe_may_replicate`), shuts the server down and writes the Rust table:
one static array of every command and subcommand (`client|setname`),
sorted by name so that it can be binary-searched. The output is piped
through rustfmt when it is available.

The types the table is made of live in redis-blocking/src/commands/info.rs.
"""

import argparse
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUTPUT = os.path.join(ROOT, "resp-core", "src", "command", "table.rs")
SCRIPT_NAME = "scripts/gen-command-table.py"

# Command flags, in bit order. The names are the ones COMMAND INFO uses;
# the Rust constants are their upper-case forms. Never reorder: the bits
# are public API (`Flags::bits`).
COMMAND_FLAGS = [
    "write",
    "readonly",
    "denyoom",
    "module",
    "admin",
    "pubsub",
    "noscript",
    "blocking",
    "loading",
    "stale",
    "skip_monitor",
    "skip_slowlog",
    "asking",
    "fast",
    "no_auth",
    "may_replicate",
    "sentinel",
    "only_sentinel",
    "no_mandatory_keys",
    "no_async_loading",
    "no_multi",
    "movablekeys",
    "allow_busy",
    "protected",
]

# Key-spec flags, in bit order.
KEY_SPEC_FLAGS = [
    "RO",
    "RW",
    "OW",
    "RM",
    "access",
    "update",
    "insert",
    "delete",
    "not_key",
    "incomplete",
    "variable_flags",
]

# COMMAND DOCS group -> Rust `Group` variant.
GROUPS = {
    "bitmap": "Bitmap",
    "cluster": "Cluster",
    "connection": "Connection",
    "generic": "Generic",
    "geo": "Geo",
    "hash": "Hash",
    "hyperloglog": "HyperLogLog",
    "list": "List",
    "module": "Module",
    "pubsub": "PubSub",
    "scripting": "Scripting",
    "sentinel": "Sentinel",
    "server": "Server",
    "set": "Set",
    "sorted-set": "SortedSet",
    "stream": "Stream",
    "string": "String",
    "transactions": "Transactions",
}

# Never sent by the may_replicate probe: they would stop the server, change
# its role, pause or kill clients, or hold the connection in a special mode.
PROBE_SKIP = {
    "shutdown",
    "monitor",
    "subscribe",
    "psubscribe",
    "ssubscribe",
    "unsubscribe",
    "punsubscribe",
    "sunsubscribe",
    "sync",
    "psync",
    "replconf",
    "replicaof",
    "slaveof",
    "failover",
    "debug",
    "client|pause",
    "client|unpause",
    "client|kill",
    "save",
    "bgsave",
    "bgrewriteaof",
    "multi",
    "exec",
    "quit",
    "reset",
}


# --------------------------------------------------------------------------
# RESP3 over a socket
# --------------------------------------------------------------------------


class RespError(Exception):
    pass


class Conn:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def command(self, *args):
        self.send(*args)
        return self.read()

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2 :]
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2 :]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return None
            data = self._exact(n)
            return data.decode() if kind == b"$" else data[4:].decode()
        if kind in (b"*", b"~", b">"):
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if kind == b"%":
            n = int(rest)
            out = {}
            for _ in range(n):
                k = self.read()
                out[k] = self.read()
            return out
        if kind == b"|":  # attribute: skip it, return what follows
            for _ in range(2 * int(rest)):
                self.read()
            return self.read()
        if kind == b"_":
            return None
        if kind == b"#":
            return rest == b"t"
        if kind == b",":
            return float(rest)
        if kind == b"(":
            return int(rest)
        if kind == b"!":
            raise RespError(self._exact(int(rest)).decode())
        raise ValueError("unexpected RESP type %r" % line)


# --------------------------------------------------------------------------
# The temporary server
# --------------------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempServer:
    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="gen-command-table-")
        self.proc = None
        self.port = None

    def __enter__(self):
        for _ in range(8):
            self.port = free_port()
            log = os.path.join(self.dir, "redis.log")
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", self.dir,
                    "--logfile", log,
                    "--daemonize", "no",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_ready():
                return self
            self._stop()
        raise SystemExit("could not start %s (see %s)" % (self.binary, self.dir))

    def _wait_ready(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False  # most likely the port was taken meanwhile
            try:
                c = Conn(self.port, timeout=1)
                try:
                    if c.command("PING") == "PONG":
                        return True
                finally:
                    c.close()
            except (OSError, RespError):
                pass
            time.sleep(0.05)
        return False

    def _stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            c = Conn(self.port, timeout=2)
            c.send("SHUTDOWN", "NOSAVE")
            c.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()

    def __exit__(self, *exc):
        self._stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------
# Gathering
# --------------------------------------------------------------------------


def flatten_info(entries, out):
    """COMMAND INFO entries (and their subcommands) into name -> dict."""
    for e in entries:
        info = {
            "name": e[0].lower(),
            "arity": e[1],
            "flags": list(e[2]),
            "first": e[3],
            "last": e[4],
            "step": e[5],
            "acl": list(e[6]),
            "tips": list(e[7]) if len(e) > 7 else [],
            "key_specs": e[8] if len(e) > 8 else [],
        }
        out[info["name"]] = info
        if len(e) > 9 and e[9]:
            flatten_info(e[9], out)


def flatten_docs(docs, out):
    for name, doc in docs.items():
        out[name.lower()] = doc
        if doc.get("subcommands"):
            flatten_docs(doc["subcommands"], out)


def probe_argv(name, arity):
    """Arguments that pass the arity check: the name(s) and fillers."""
    argv = name.split("|")
    want = arity if arity > 0 else -arity
    while len(argv) < want:
        argv.append("x")
    return argv


def probe_may_replicate(port, infos):
    """Names of the non-write commands with the (hidden) may_replicate flag.

    Redis 7.0 does not report `may_replicate` in COMMAND INFO, but
    `CLIENT PAUSE ... WRITE` postpones exactly the commands flagged `write`
    or `may_replicate` (the check comes after the arity check, before the
    command runs): a postponed client is blocked (`b` in its CLIENT LIST
    flags) instead of getting a reply. So: pause writes, send every other
    command with filler arguments on its own connection, and see which
    ones block. Then unpause: the postponed ones run and fail harmlessly on
    the filler arguments.
    """
    candidates = sorted(
        i["name"]
        for i in infos.values()
        if "write" not in i["flags"]
        and i["name"] not in PROBE_SKIP
        # Containers are probed through their subcommands only.
        and not any(o.startswith(i["name"] + "|") for o in infos)
    )
    ctl = Conn(port, timeout=30)
    ctl.command("CLIENT", "PAUSE", "600000", "WRITE")
    postponed = set()
    try:
        for name in candidates:
            c = Conn(port, timeout=30)
            try:
                client_id = c.command("CLIENT", "ID")
                c.send(*probe_argv(name, infos[name]["arity"]))
                deadline = time.time() + 30
                while True:
                    if time.time() > deadline:
                        raise SystemExit("may_replicate probe: %s neither replies nor blocks" % name)
                    readable, _, _ = select.select([c.sock], [], [], 0.02)
                    if readable:
                        break  # a reply (or an error, or EOF): not postponed
                    state = ctl.command("CLIENT", "LIST", "ID", str(client_id))
                    flags = state.split(" flags=", 1)[1].split(" ", 1)[0] if state else ""
                    if "b" in flags:
                        postponed.add(name)
                        break
            finally:
                c.close()
    finally:
        ctl.command("CLIENT", "UNPAUSE")
        ctl.close()
    return postponed


def gather(binary):
    with TempServer(binary) as server:
        c = Conn(server.port, timeout=30)
        c.command("HELLO", "3")
        version = c.command("INFO", "server")
        version = next(
            line.split(":", 1)[1].strip()
            for line in version.splitlines()
            if line.startswith("redis_version:")
        )
        infos = {}
        flatten_info(c.command("COMMAND", "INFO"), infos)
        docs = {}
        flatten_docs(c.command("COMMAND", "DOCS"), docs)
        may_replicate = probe_may_replicate(server.port, infos)
        c.close()
    for name in may_replicate:
        infos[name]["flags"].append("may_replicate")
    return version, infos, docs


# --------------------------------------------------------------------------
# Argument syntax, rendered like redis-cli 7.0's help hints
# --------------------------------------------------------------------------


def render_arg(arg):
    kind = arg["type"]
    flags = arg.get("flags", [])
    if kind == "block":
        name = " ".join(render_arg(a) for a in arg.get("arguments", []))
    elif kind == "oneof":
        name = "|".join(render_arg(a) for a in arg.get("arguments", []))
    elif kind == "pure-token":
        name = None
    else:
        name = arg["name"]
    if "multiple" in flags:
        if "multiple_token" in flags:
            name = "%s [%s %s ...]" % (name, arg["token"], name)
        else:
            name = "%s [%s ...]" % (name, name)
    token = arg.get("token")
    if token is not None:
        # MIGRATE's empty-string key: redis-cli shows it as "".
        token = token or '""'
        name = " ".join(x for x in (token, name) if x is not None)
    if "optional" in flags:
        name = "[%s]" % name
    return name


def render_syntax(doc):
    return " ".join(render_arg(a) for a in (doc or {}).get("arguments", []))


def compare_with_cli(cli, port, docs):
    """Prints the commands whose syntax differs from redis-cli's help."""
    import re

    strip = re.compile(r"\x1b\[[0-9;]*m")
    bad = 0
    for name, doc in sorted(docs.items()):
        out = subprocess.run(
            [cli, "-p", str(port)] + ["help"] + name.split("|"),
            capture_output=True,
            text=True,
        ).stdout
        lines = [strip.sub("", l).strip() for l in out.splitlines() if l.strip()]
        if not lines:
            print("redis-cli has no help for %s" % name)
            continue
        title = " ".join(name.upper().split("|"))
        cli_syntax = lines[0][len(title) :].strip()
        ours = render_syntax(doc)
        if cli_syntax != ours:
            bad += 1
            print("%s\n  cli:  %s\n  ours: %s" % (name, cli_syntax, ours))
    print("%d of %d differ from redis-cli's help" % (bad, len(docs)))


# --------------------------------------------------------------------------
# Rust output
# --------------------------------------------------------------------------


class Atom:
    """Rust source that is never broken across lines."""

    def __init__(self, text):
        self.text = text


class Struct:
    """`Name { field: value, ... }`."""

    def __init__(self, name, fields):
        self.name = name
        self.fields = fields


class Call:
    """`function(arg, ...)`."""

    def __init__(self, func, args):
        self.func = func
        self.args = args


class Array:
    """`&[item, ...]` (always borrowed in this table)."""

    def __init__(self, items):
        self.items = items


class Layout:
    """Lays out Rust expressions the way rustfmt's defaults do.

    rustfmt itself gives up on the table (a long string literal anywhere in
    an item makes it leave the whole item alone), so the generator lays the
    table out itself, following rustfmt's rules: max_width 100, struct
    literal bodies up to 18 characters on one line, call arguments and
    arrays up to 60, then one item per line, with the last call argument
    "overflowing" (`f(&[` ... `])`).
    """

    MAX_WIDTH = 100
    STRUCT_LIT_WIDTH = 18
    FN_CALL_WIDTH = 60
    ARRAY_WIDTH = 60

    def one_line(self, node):
        if isinstance(node, Atom):
            return node.text
        if isinstance(node, Struct):
            body = ", ".join("%s: %s" % (k, self.one_line(v)) for k, v in node.fields)
            return "%s { %s }" % (node.name, body)
        if isinstance(node, Call):
            return "%s(%s)" % (node.func, ", ".join(self.one_line(a) for a in node.args))
        if isinstance(node, Array):
            return "&[%s]" % ", ".join(self.one_line(i) for i in node.items)
        raise TypeError(node)

    def fits_one_line(self, node):
        if isinstance(node, Atom):
            return True
        if isinstance(node, Struct):
            body = ", ".join("%s: %s" % (k, self.one_line(v)) for k, v in node.fields)
            return len(body) <= self.STRUCT_LIT_WIDTH and all(
                self.fits_one_line(v) for _, v in node.fields
            )
        if isinstance(node, Call):
            args = ", ".join(self.one_line(a) for a in node.args)
            return len(args) <= self.FN_CALL_WIDTH and all(
                self.fits_one_line(a) for a in node.args
            )
        if isinstance(node, Array):
            items = ", ".join(self.one_line(i) for i in node.items)
            return len(items) <= self.ARRAY_WIDTH and all(
                self.fits_one_line(i) for i in node.items
            )
        raise TypeError(node)

    def render(self, node, indent, column, trailer):
        """`node` starting at `column` on a line indented by `indent`,
        followed by `trailer` (`,`, `]`, ...) on its last line."""
        if self.fits_one_line(node):
            text = self.one_line(node)
            if column + len(text) + len(trailer) <= self.MAX_WIDTH or isinstance(node, Atom):
                return text
        pad = " " * (indent + 4)
        end = " " * indent
        if isinstance(node, Struct):
            lines = [
                "%s%s: %s," % (pad, k, self.render(v, indent + 4, indent + 4 + len(k) + 2, ","))
                for k, v in node.fields
            ]
            return "%s {\n%s\n%s}" % (node.name, "\n".join(lines), end)
        if isinstance(node, Call):
            head = ", ".join(self.one_line(a) for a in node.args[:-1])
            last = node.args[-1] if node.args else None
            if isinstance(last, (Array, Struct)) and all(
                self.fits_one_line(a) for a in node.args[:-1]
            ):
                prefix = "%s(%s" % (node.func, head + ", " if head else "")
                rest = self.render(last, indent, column + len(prefix), ")" + trailer)
                return prefix + rest + ")"
            lines = [
                "%s%s," % (pad, self.render(a, indent + 4, indent + 4, ",")) for a in node.args
            ]
            return "%s(\n%s\n%s)" % (node.func, "\n".join(lines), end)
        if isinstance(node, Array):
            return self.render_broken(node, indent, column)
        raise TypeError(node)

    def render_broken(self, node, indent, column):
        """Like `render`, but never on one line (an overflowing argument)."""
        if isinstance(node, Struct):
            return self.render(Struct(node.name, node.fields), indent, self.MAX_WIDTH, "")
        pad = " " * (indent + 4)
        end = " " * indent
        if len(node.items) == 1 and isinstance(node.items[0], Struct):
            return "&[%s]" % self.render_broken(node.items[0], indent, column + 2)
        lines = [
            "%s%s," % (pad, self.render(i, indent + 4, indent + 4, ",")) for i in node.items
        ]
        return "&[\n%s\n%s]" % ("\n".join(lines), end)


def rust_str(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"%s"' % "".join(out)


def rust_str_slice(items):
    return Array([Atom(rust_str(i)) for i in items])


def rust_flags(names, known, ty):
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit("unknown %s flag(s) %s: update %s" % (ty, unknown, SCRIPT_NAME))
    ordered = [n for n in known if n in names]
    if not ordered:
        return Atom("%s::EMPTY" % ty)
    return Call("%s::of" % ty, [Array([Atom("%s::%s" % (ty, n.upper())) for n in ordered])])


def rust_begin_search(bs):
    kind, spec = bs["type"], bs.get("spec") or {}
    if kind == "index":
        return Call("BeginSearch::Index", [Atom(str(spec["index"]))])
    if kind == "keyword":
        return Call(
            "BeginSearch::keyword",
            [Atom(rust_str(spec["keyword"])), Atom(str(spec["startfrom"]))],
        )
    if kind == "unknown":
        return Atom("BeginSearch::Unknown")
    raise SystemExit("unknown begin_search type %r" % kind)


def rust_find_keys(fk):
    kind, spec = fk["type"], fk.get("spec") or {}
    if kind == "range":
        args = [spec["lastkey"], spec["keystep"], spec["limit"]]
        return Call("FindKeys::range", [Atom(str(a)) for a in args])
    if kind == "keynum":
        args = [spec["keynumidx"], spec["firstkey"], spec["keystep"]]
        return Call("FindKeys::keynum", [Atom(str(a)) for a in args])
    if kind == "unknown":
        return Atom("FindKeys::Unknown")
    raise SystemExit("unknown find_keys type %r" % kind)


def rust_option_str(value):
    return Atom("Some(%s)" % rust_str(value)) if value else Atom("None")


def rust_entry(info, doc):
    doc = doc or {}
    group = doc.get("group", "generic")
    if group not in GROUPS:
        raise SystemExit("unknown group %r: update GROUPS in %s" % (group, SCRIPT_NAME))
    specs = [
        Struct(
            "KeySpec",
            [
                ("flags", rust_flags(ks.get("flags", []), KEY_SPEC_FLAGS, "KeySpecFlags")),
                ("begin_search", rust_begin_search(ks["begin_search"])),
                ("find_keys", rust_find_keys(ks["find_keys"])),
            ],
        )
        for ks in info["key_specs"]
    ]
    return Struct(
        "CommandInfo",
        [
            ("name", Atom(rust_str(info["name"]))),
            ("arity", Atom(str(info["arity"]))),
            ("flags", rust_flags(info["flags"], COMMAND_FLAGS, "Flags")),
            ("acl_categories", rust_str_slice(info["acl"])),
            ("tips", rust_str_slice(info["tips"])),
            ("legacy_range", Atom("(%d, %d, %d)" % (info["first"], info["last"], info["step"]))),
            ("key_specs", Array(specs)),
            ("group", Atom("Group::%s" % GROUPS[group])),
            ("summary", Atom(rust_str(doc.get("summary", "")))),
            ("since", Atom(rust_str(doc.get("since", "")))),
            ("syntax", Atom(rust_str(render_syntax(doc)))),
            ("deprecated_since", rust_option_str(doc.get("deprecated_since"))),
            ("replaced_by", rust_option_str(doc.get("replaced_by"))),
        ],
    )


def render(version, infos, docs):
    names = sorted(infos, key=lambda n: n.encode())
    missing = [n for n in names if n not in docs]
    if missing:
        print("warning: no COMMAND DOCS for %s" % ", ".join(missing), file=sys.stderr)
    layout = Layout()
    entries = "".join(
        "    %s,\n" % layout.render(rust_entry(infos[n], docs.get(n)), 4, 4, ",") for n in names
    )
    return (
        "// @generated by {script} from redis-server {version}\n"
        "// (COMMAND INFO and COMMAND DOCS). DO NOT EDIT BY HAND: to regenerate, run\n"
        "//\n"
        "//     python3 {script}\n"
        "//\n"
        "// `may_replicate` is not reported by COMMAND INFO in Redis 7.0; the script\n"
        "// detects it for non-write commands with CLIENT PAUSE WRITE.\n"
        "\n"
        "//! The command table: every command and subcommand of redis-server {version},\n"
        "//! sorted by name. Read it through [`crate::command`].\n"
        "\n"
        "use super::spec::{{\n"
        "    BeginSearch, CommandInfo, FindKeys, Flags, Group, KeySpec, KeySpecFlags,\n"
        "}};\n"
        "\n"
        "/// The redis-server version the table was generated from.\n"
        "pub(crate) const SERVER_VERSION: &str = {version_str};\n"
        "\n"
        "/// Every command and subcommand (`container|sub`), sorted by name (bytes).\n"
        "pub(crate) static COMMANDS: [CommandInfo; {count}] = [\n"
        "{entries}"
        "];\n"
    ).format(
        script=SCRIPT_NAME,
        version=version,
        version_str=rust_str(version),
        count=len(names),
        entries=entries,
    )


def rustfmt(text):
    exe = shutil.which("rustfmt")
    if exe is None:
        print("warning: rustfmt not found; output is not formatted", file=sys.stderr)
        return text
    p = subprocess.run(
        [exe, "--edition", "2021", "--emit", "stdout"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if p.returncode != 0:
        raise SystemExit("rustfmt failed:\n" + p.stderr)
    return p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", default=os.environ.get("REDIS_SERVER_BIN", "redis-server"))
    ap.add_argument("--cli", default=os.environ.get("REDIS_CLI_BIN", "redis-cli"))
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    ap.add_argument("--check", action="store_true", help="fail if the output is stale")
    ap.add_argument("--no-rustfmt", action="store_true")
    ap.add_argument("--compare-cli", action="store_true")
    args = ap.parse_args()

    if args.compare_cli:
        with TempServer(args.server) as server:
            c = Conn(server.port)
            c.command("HELLO", "3")
            docs = {}
            flatten_docs(c.command("COMMAND", "DOCS"), docs)
            c.close()
            compare_with_cli(args.cli, server.port, docs)
        return

    version, infos, docs = gather(args.server)
    text = render(version, infos, docs)
    if not args.no_rustfmt:
        text = rustfmt(text)
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print("%s is stale: run python3 %s" % (args.output, SCRIPT_NAME), file=sys.stderr)
            sys.exit(1)
        print("%s is up to date" % args.output)
        return
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(
        "wrote %s: %d commands and subcommands from redis-server %s"
        % (os.path.relpath(args.output), len(infos), version)
    )


if __name__ == "__main__":
    main()
