//! Cluster-aware mode's address rewriting: node addresses in `CLUSTER
//! SLOTS / SHARDS / NODES / REPLICAS` replies and in `MOVED` / `ASK`
//! errors become the proxy's listeners for those nodes, so that a
//! cluster client only ever connects to the proxy (sans-IO: the map from
//! node to listener is given).

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};

use resp_core::{Frame, OwnedFrame};

/// Where the proxy listens for each upstream node.
pub(crate) trait AddrMap {
    /// The proxy's listener for the node at `upstream`, if it has (or can
    /// open) one.
    fn proxy_addr(&self, upstream: SocketAddr) -> Option<SocketAddr>;
}

/// A reply whose addresses are rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Topology {
    /// `CLUSTER SLOTS`.
    Slots,
    /// `CLUSTER SHARDS`.
    Shards,
    /// `CLUSTER NODES`, `CLUSTER REPLICAS`, `CLUSTER SLAVES`: text lines.
    Nodes,
}

/// The topology reply `args` asks for, if any.
pub(crate) fn topology(args: &[Cow<'_, [u8]>]) -> Option<Topology> {
    let is = |i: usize, s: &str| {
        args.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(s.as_bytes()))
    };
    if !is(0, "CLUSTER") {
        return None;
    }
    if is(1, "SLOTS") {
        Some(Topology::Slots)
    } else if is(1, "SHARDS") {
        Some(Topology::Shards)
    } else if is(1, "NODES") || is(1, "REPLICAS") || is(1, "SLAVES") {
        Some(Topology::Nodes)
    } else {
        None
    }
}

/// The rewritten encoding of `frame`, or `None` when nothing changes.
///
/// `upstream` is the node this connection talks to: an address with an
/// empty host (`:7001`) is on its host.
pub(crate) fn rewrite(
    frame: Frame<'_>,
    topology: Option<Topology>,
    upstream: SocketAddr,
    map: &dyn AddrMap,
) -> Option<Vec<u8>> {
    let mut frame = frame.into_owned();
    let ctx = Ctx { upstream, map };
    let changed = match (&mut frame, topology) {
        (Frame::Error(line), _) => ctx.redirect(line),
        (frame, Some(Topology::Slots)) => ctx.slots(frame),
        (frame, Some(Topology::Shards)) => ctx.shards(frame),
        (frame, Some(Topology::Nodes)) => ctx.nodes(frame),
        _ => false,
    };
    if !changed {
        return None;
    }
    let mut out = Vec::new();
    resp_core::encode::encode_frame(&mut out, &frame).ok()?;
    Some(out)
}

struct Ctx<'a> {
    upstream: SocketAddr,
    map: &'a dyn AddrMap,
}

impl Ctx<'_> {
    /// The listener for `host:port` (host empty: the upstream's).
    fn lookup(&self, host: &[u8], port: i64) -> Option<SocketAddr> {
        let ip: IpAddr = if host.is_empty() {
            self.upstream.ip()
        } else {
            std::str::from_utf8(host).ok()?.parse().ok()?
        };
        let port = u16::try_from(port).ok()?;
        self.map.proxy_addr(SocketAddr::new(ip, port))
    }

    /// `MOVED 3999 127.0.0.1:7002` and `ASK ...`.
    fn redirect(&self, line: &mut Cow<'static, [u8]>) -> bool {
        let text = String::from_utf8_lossy(line).into_owned();
        let mut words: Vec<&str> = text.split(' ').collect();
        if words.len() != 3 || !(words[0] == "MOVED" || words[0] == "ASK") {
            return false;
        }
        let Some(addr) = self.host_port(words[2]) else {
            return false;
        };
        let addr = addr.to_string();
        words[2] = &addr;
        *line = Cow::Owned(words.join(" ").into_bytes());
        true
    }

    /// The listener for an `ip:port` (or `[v6]:port`, or `:port`) text.
    fn host_port(&self, text: &str) -> Option<SocketAddr> {
        let (host, port) = text.rsplit_once(':')?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.lookup(host.as_bytes(), port.parse().ok()?)
    }

    /// `[[start, end, [ip, port, id, ...], ...], ...]`.
    fn slots(&self, frame: &mut OwnedFrame) -> bool {
        let Frame::Array(ranges) = frame else {
            return false;
        };
        let mut changed = false;
        for range in ranges {
            let Frame::Array(items) = range else { continue };
            for node in items.iter_mut().skip(2) {
                let Frame::Array(node) = node else { continue };
                if let [ip, Frame::Integer(port), ..] = &mut node[..] {
                    let Some(host) = ip.as_bytes() else { continue };
                    if let Some(to) = self.lookup(host, *port) {
                        *ip = Frame::Bulk(Cow::Owned(to.ip().to_string().into_bytes()));
                        *port = i64::from(to.port());
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    /// `[{slots, nodes: [{id, port, ip, endpoint, ...}]}]`, maps or (RESP2)
    /// flat key-value arrays.
    fn shards(&self, frame: &mut OwnedFrame) -> bool {
        let Frame::Array(shards) = frame else {
            return false;
        };
        let mut changed = false;
        for shard in shards {
            let Some(nodes) = field(shard, b"nodes") else {
                continue;
            };
            let Frame::Array(nodes) = nodes else { continue };
            for node in nodes {
                changed |= self.shard_node(node);
            }
        }
        changed
    }

    fn shard_node(&self, node: &mut OwnedFrame) -> bool {
        let ip = field(node, b"ip").and_then(|f| f.as_bytes().map(<[u8]>::to_vec));
        let port = match field(node, b"port") {
            Some(Frame::Integer(port)) => Some(*port),
            _ => None,
        };
        let (Some(ip), Some(port)) = (ip, port) else {
            return false;
        };
        let Some(to) = self.lookup(&ip, port) else {
            return false;
        };
        let new_ip = to.ip().to_string().into_bytes();
        if let Some(f) = field(node, b"port") {
            *f = Frame::Integer(i64::from(to.port()));
        }
        if let Some(f) = field(node, b"ip") {
            *f = Frame::Bulk(Cow::Owned(new_ip.clone()));
        }
        if let Some(f) = field(node, b"endpoint") {
            if f.as_bytes() == Some(&ip[..]) {
                *f = Frame::Bulk(Cow::Owned(new_ip));
            }
        }
        true
    }

    /// `CLUSTER NODES` text (a bulk or verbatim string), or `CLUSTER
    /// REPLICAS`' array of such lines.
    fn nodes(&self, frame: &mut OwnedFrame) -> bool {
        match frame {
            Frame::Bulk(text) | Frame::Verbatim { text, .. } => match self.node_lines(text) {
                Some(new) => {
                    *text = Cow::Owned(new);
                    true
                }
                None => false,
            },
            Frame::Array(lines) => {
                let mut changed = false;
                for line in lines {
                    changed |= self.nodes(line);
                }
                changed
            }
            _ => false,
        }
    }

    /// Lines of `<id> <ip:port@cport[,hostname]> <flags> ...`.
    fn node_lines(&self, text: &[u8]) -> Option<Vec<u8>> {
        let text = std::str::from_utf8(text).ok()?;
        let mut changed = false;
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let mut fields: Vec<String> = line.split(' ').map(str::to_string).collect();
            if let Some(addr) = fields.get_mut(1) {
                let (host_port, rest) = match addr.find('@') {
                    Some(at) => (addr[..at].to_string(), addr[at..].to_string()),
                    None => (addr.clone(), String::new()),
                };
                if let Some(to) = self.host_port(&host_port) {
                    *addr = format!("{to}{rest}");
                    changed = true;
                }
            }
            out.push_str(&fields.join(" "));
        }
        changed.then(|| out.into_bytes())
    }
}

/// The value of `key` in a map, or in a RESP2 flat key-value array.
fn field<'f>(frame: &'f mut OwnedFrame, key: &[u8]) -> Option<&'f mut OwnedFrame> {
    match frame {
        Frame::Map(pairs) => pairs
            .iter_mut()
            .find(|(k, _)| k.as_bytes() == Some(key))
            .map(|(_, v)| v),
        Frame::Array(items) => {
            let i = items
                .iter()
                .step_by(2)
                .position(|k| k.as_bytes() == Some(key))?;
            items.get_mut(2 * i + 1)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resp_core::{Decoder, Status};

    struct Plus1000;

    impl AddrMap for Plus1000 {
        fn proxy_addr(&self, upstream: SocketAddr) -> Option<SocketAddr> {
            (upstream.port() < 9000)
                .then(|| SocketAddr::new([127, 0, 0, 2].into(), upstream.port() + 1000))
        }
    }

    fn run(bytes: &[u8], topology: Option<Topology>) -> Option<Vec<u8>> {
        let Status::Complete((frame, _)) = Decoder::new().decode(bytes).unwrap() else {
            panic!("incomplete")
        };
        rewrite(
            frame,
            topology,
            "127.0.0.1:7000".parse().unwrap(),
            &Plus1000,
        )
    }

    #[test]
    fn redirects() {
        assert_eq!(
            run(b"-MOVED 3999 127.0.0.1:7002\r\n", None).unwrap(),
            b"-MOVED 3999 127.0.0.2:8002\r\n"
        );
        assert_eq!(
            run(b"-ASK 1 :7001\r\n", None).unwrap(),
            b"-ASK 1 127.0.0.2:8001\r\n"
        );
        assert_eq!(run(b"-ERR nope\r\n", None), None);
        assert_eq!(
            run(b"-MOVED 1 127.0.0.1:9999\r\n", None),
            None,
            "unknown node"
        );
    }

    #[test]
    fn slots() {
        let reply = b"*1\r\n*4\r\n:0\r\n:5460\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$2\r\nid\r\n*3\r\n$9\r\n127.0.0.1\r\n:7003\r\n$2\r\nr1\r\n";
        let want = b"*1\r\n*4\r\n:0\r\n:5460\r\n*3\r\n$9\r\n127.0.0.2\r\n:8000\r\n$2\r\nid\r\n*3\r\n$9\r\n127.0.0.2\r\n:8003\r\n$2\r\nr1\r\n";
        assert_eq!(run(reply, Some(Topology::Slots)).unwrap(), want);
    }

    #[test]
    fn shards_resp2_and_resp3() {
        let resp2 = b"*1\r\n*4\r\n$5\r\nslots\r\n*0\r\n$5\r\nnodes\r\n*1\r\n*6\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n:7001\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n";
        let out = run(resp2, Some(Topology::Shards)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("127.0.0.2").count(), 2, "{text}");
        assert!(text.contains(":8001\r\n"));
        let resp3 = b"*1\r\n%2\r\n$5\r\nslots\r\n*0\r\n$5\r\nnodes\r\n*1\r\n%2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n:7001\r\n";
        let text = String::from_utf8(run(resp3, Some(Topology::Shards)).unwrap()).unwrap();
        assert!(
            text.contains("127.0.0.2") && text.contains(":8001\r\n"),
            "{text}"
        );
    }

    #[test]
    fn nodes_text() {
        let text = "a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460\nb2 127.0.0.1:7001@17001,host master - 0 0 2 connected\n";
        let reply = format!("${}\r\n{text}\r\n", text.len());
        let out = String::from_utf8(run(reply.as_bytes(), Some(Topology::Nodes)).unwrap()).unwrap();
        assert!(out.contains("a1 127.0.0.2:8000@17000 myself"), "{out}");
        assert!(out.contains("b2 127.0.0.2:8001@17001,host master"), "{out}");
    }
}
