//! Cluster-aware mode: the nodes of a cluster found from one of them, and
//! the map from node to listener that the rewriting uses (opening a
//! listener for a node first seen in a reply).

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use resp_core::{Decoder, Frame, Status};

use crate::rewrite::AddrMap;
use crate::shared::{lock, Shared};

/// The limit on a `CLUSTER NODES` reply.
const MAX_REPLY: usize = 16 << 20;

/// The addresses of every node `seed` knows (itself included), from
/// `CLUSTER NODES`, sorted.
///
/// # Errors
///
/// If the seed cannot be reached, does not answer in time, answers with
/// an error (not in cluster mode) or with something else than node lines.
pub(crate) fn discover(seed: SocketAddr, timeout: Duration) -> io::Result<Vec<SocketAddr>> {
    let mut stream = TcpStream::connect_timeout(&seed, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(b"*2\r\n$7\r\nCLUSTER\r\n$5\r\nNODES\r\n")?;
    let mut buf = Vec::new();
    let mut decoder = Decoder::new();
    let mut chunk = [0; 16 * 1024];
    let text = loop {
        match decoder.decode(&buf) {
            Ok(Status::Complete((Frame::Bulk(text), _))) => break text.into_owned(),
            Ok(Status::Complete((Frame::Verbatim { text, .. }, _))) => break text.into_owned(),
            Ok(Status::Complete((Frame::Error(e), _))) => {
                return Err(io::Error::other(format!(
                    "{seed} answered CLUSTER NODES with {:?}: is it a cluster node?",
                    String::from_utf8_lossy(&e)
                )))
            }
            Ok(Status::Complete((other, _))) => {
                return Err(io::Error::other(format!(
                    "{seed} answered CLUSTER NODES with {other:?}"
                )))
            }
            Ok(Status::Partial) => {}
            Err(e) => return Err(io::Error::other(format!("{seed}: {e}"))),
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 || buf.len() + n > MAX_REPLY {
            return Err(io::Error::other(format!(
                "{seed} closed before answering CLUSTER NODES"
            )));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let mut nodes = parse_nodes(&String::from_utf8_lossy(&text), seed.ip());
    nodes.sort();
    nodes.dedup();
    if nodes.is_empty() {
        return Err(io::Error::other(format!("{seed} lists no nodes")));
    }
    Ok(nodes)
}

/// The `ip:port` of each line of `CLUSTER NODES` (an empty ip is
/// `default_ip`, the seed's).
fn parse_nodes(text: &str, default_ip: IpAddr) -> Vec<SocketAddr> {
    text.lines()
        .filter_map(|line| {
            let addr = line.split(' ').nth(1)?;
            let host_port = addr.split(['@', ',']).next()?;
            let (host, port) = host_port.rsplit_once(':')?;
            let port: u16 = port.parse().ok().filter(|p| *p != 0)?;
            let ip = if host.is_empty() {
                default_ip
            } else {
                host.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse()
                    .ok()?
            };
            Some(SocketAddr::new(ip, port))
        })
        .collect()
}

/// The proxy's listeners by node, opening one for a node not seen yet.
pub(crate) struct ClusterMap(pub(crate) Arc<Shared>);

impl AddrMap for ClusterMap {
    fn proxy_addr(&self, upstream: SocketAddr) -> Option<SocketAddr> {
        let shared = &self.0;
        if let Some(listen) = shared.listener_for(upstream) {
            return Some(listen);
        }
        let _opening = lock(&shared.opening);
        if let Some(listen) = shared.listener_for(upstream) {
            return Some(listen);
        }
        let (ip, next_port) = {
            let routes = lock(&shared.routes);
            let first = routes.first()?;
            let next = if first.listen.port() == 0 {
                0
            } else {
                routes
                    .iter()
                    .map(|r| r.listen.port())
                    .max()?
                    .checked_add(1)?
            };
            (first.listen.ip(), next)
        };
        match crate::listener::start(shared, SocketAddr::new(ip, next_port), upstream)
            .or_else(|_| crate::listener::start(shared, SocketAddr::new(ip, 0), upstream))
        {
            Ok(route) => {
                log::info!("new node {upstream}: listening on {}", route.listen);
                Some(route.listen)
            }
            Err(e) => {
                log::warn!("new node {upstream}: cannot open a listener: {e}");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_lines() {
        let text = "a 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460\n\
                    b :7001@17001 master - 0 0 2 connected\n\
                    c 10.0.0.1:7002@17002,host slave a 0 0 3 connected\n";
        let nodes = parse_nodes(text, "127.0.0.9".parse().unwrap());
        let want: Vec<SocketAddr> = ["127.0.0.1:7000", "127.0.0.9:7001", "10.0.0.1:7002"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(nodes, want);
    }
}
