//! The driver of one connection: its thread connects upstream, then
//! loops over `ppoll`, reading what arrives into the [`Session`] and
//! writing what it offers, until the connection ends.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cluster::ClusterMap;
use crate::poll::{self, Wait, WakeReceiver, GONE, IN, OUT};
use crate::rewrite::AddrMap;
use crate::session::{Ctx, Ending, Session, Side};
use crate::shared::{lock, ConnHandle, Shared};

/// Timeout for connecting to the upstream server.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Bytes read from a socket at a time: small enough that a long pipeline
/// goes on to the server in pieces while the rest is still being read.
const CHUNK: usize = 16 * 1024;

/// One connection's sockets and where they come from.
pub(crate) struct Conn {
    pub(crate) client: TcpStream,
    pub(crate) peer: SocketAddr,
    pub(crate) upstream: SocketAddr,
    pub(crate) wake: WakeReceiver,
}

/// The body of a connection thread.
pub(crate) fn run(shared: &Arc<Shared>, handle: &Arc<ConnHandle>, conn: Conn) {
    let server = match TcpStream::connect_timeout(&conn.upstream, UPSTREAM_CONNECT_TIMEOUT) {
        Ok(server) => server,
        Err(e) => {
            log::warn!("upstream {} unreachable: {e}", conn.upstream);
            shared.upstream_failures.fetch_add(1, Ordering::SeqCst);
            let _ = conn.client.shutdown(Shutdown::Both);
            shared.unregister(handle);
            return;
        }
    };
    lock(&handle.info).upstream_local = server.local_addr().ok();
    let ending = drive(shared, handle, &conn, &server);
    match ending {
        Ending::Reset => {
            // SO_LINGER 0: closing sends a RST instead of a FIN.
            let _ = socket2::SockRef::from(&conn.client).set_linger(Some(Duration::ZERO));
        }
        // A plain close (below, on drop): a FIN, or a RST when the client
        // sent bytes the proxy did not read, as any server closing would.
        Ending::Close => {}
    }
    let _ = server.shutdown(Shutdown::Both);
    shared.unregister(handle);
}

fn setup(client: &TcpStream, server: &TcpStream) -> std::io::Result<()> {
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    client.set_nonblocking(true)?;
    server.set_nonblocking(true)
}

/// Takes the proxy's fault set if it changed since `version`.
fn refresh(shared: &Shared, session: &mut Session, version: &mut u64) {
    if shared.version() != *version {
        let (faults, v) = shared.faults_versioned();
        *version = v;
        session.set_faults(faults, Instant::now());
    }
}

/// Forwards until the connection ends; how it must be closed.
fn drive(
    shared: &Arc<Shared>,
    handle: &Arc<ConnHandle>,
    conn: &Conn,
    server: &TcpStream,
) -> Ending {
    if setup(&conn.client, server).is_err() {
        return Ending::Close;
    }
    let cluster = shared.cluster.then(|| ClusterMap(Arc::clone(shared)));
    let addrs: Option<&dyn AddrMap> = cluster.as_ref().map(|c| c as &dyn AddrMap);
    let (faults, mut version) = shared.faults_versioned();
    let mut session = Session::new(
        conn.peer,
        conn.upstream,
        faults,
        shared.seed ^ handle.id.wrapping_mul(0x9e37_79b9),
        shared.cluster,
        Instant::now(),
    );
    let sockets = [(&conn.client, Side::Client), (server, Side::Server)];
    let mut buf = vec![0; CHUNK];
    // A side we wrote to until it would block: wait for it to drain.
    let mut blocked = [false; 2];
    // A side that hung up while we were not reading it: leave it out of
    // the wait until we read it again.
    let mut hung = [false; 2];
    loop {
        if handle.is_killed() || shared.is_stopping() {
            return Ending::Close;
        }
        refresh(shared, &mut session, &mut version);
        if shared.is_paused() {
            let mut waits = [Wait::new(conn.wake.fd(), IN)];
            poll::wait(&mut waits, None);
            conn.wake.drain();
            continue;
        }
        let now = Instant::now();
        for (i, &(socket, side)) in sockets.iter().enumerate() {
            while let Some(chunk) = session.next_chunk(side, now) {
                match (&*socket).write(chunk) {
                    Ok(n) => session.sent(side, n, now),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        blocked[i] = true;
                        break;
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => return Ending::Close,
                }
            }
            if session.take_eof(side, now) {
                let _ = socket.shutdown(Shutdown::Write);
            }
        }
        if let Some(ending) = session.close(now) {
            return ending;
        }
        if session.is_done() {
            return Ending::Close;
        }
        let mut waits = [
            Wait::new(-1, 0),
            Wait::new(-1, 0),
            Wait::new(conn.wake.fd(), IN),
        ];
        for (i, &(socket, side)) in sockets.iter().enumerate() {
            let read = session.wants_read(side);
            if read {
                hung[i] = false;
            }
            let events = if read { IN } else { 0 } | if blocked[i] { OUT } else { 0 };
            if events != 0 || !hung[i] {
                waits[i] = Wait::new(socket.as_raw_fd(), events);
            }
        }
        poll::wait(&mut waits, session.deadline());
        if waits[2].revents != 0 {
            conn.wake.drain();
        }
        if shared.is_paused() || handle.is_killed() {
            continue;
        }
        // A change made before these bytes arrived applies to them.
        refresh(shared, &mut session, &mut version);
        let now = Instant::now();
        for (i, &(socket, side)) in sockets.iter().enumerate() {
            let revents = waits[i].revents;
            if revents & OUT != 0 {
                blocked[i] = false;
            }
            if revents & (IN | GONE) == 0 {
                continue;
            }
            if !session.wants_read(side) {
                if revents & libc::POLLERR != 0 {
                    return Ending::Close;
                }
                hung[i] = true;
                continue;
            }
            match (&*socket).read(&mut buf) {
                Ok(0) => match side {
                    Side::Client => session.client_closed(now),
                    Side::Server => session.server_closed(now),
                },
                Ok(n) => {
                    let mut stats = lock(&handle.stats);
                    let mut ctx = Ctx {
                        stats: &mut stats,
                        addrs,
                        dropped: Some(&shared.dropped),
                    };
                    match side {
                        Side::Client => session.handle_client(&buf[..n], now, &mut ctx),
                        Side::Server => session.handle_server(&buf[..n], now, &mut ctx),
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                Err(_) => return Ending::Close,
            }
        }
    }
}
