//! Listeners: each accepts clients for one upstream and starts a thread
//! per connection.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::conn::{self, Conn};
use crate::poll::{self, Wait, IN};
use crate::shared::{lock, Route, Shared};

/// Binds `listen` and starts accepting for `upstream`, in a thread named
/// `px<port>`; connection threads are named `px<port>:<id>`.
///
/// # Errors
///
/// If the address cannot be bound or the thread cannot start.
pub(crate) fn start(
    shared: &Arc<Shared>,
    listen: SocketAddr,
    upstream: SocketAddr,
) -> io::Result<Route> {
    let listener = TcpListener::bind(listen)?;
    listener.set_nonblocking(true)?;
    let route = Route {
        listen: listener.local_addr()?,
        upstream,
    };
    let (waker, wake) = poll::waker()?;
    let thread_shared = Arc::clone(shared);
    let thread = thread::Builder::new()
        .name(format!("px{}", route.listen.port()))
        .spawn(move || {
            accept_loop(&thread_shared, &listener, route, &wake);
        })?;
    lock(&shared.listener_wakers).push(waker);
    lock(&shared.threads).push(thread);
    lock(&shared.routes).push(route);
    Ok(route)
}

fn accept_loop(
    shared: &Arc<Shared>,
    listener: &TcpListener,
    route: Route,
    wake: &poll::WakeReceiver,
) {
    let port = route.listen.port();
    while !shared.is_stopping() {
        let mut waits = [
            Wait::new(listener_fd(listener), IN),
            Wait::new(wake.fd(), IN),
        ];
        poll::wait(&mut waits, None);
        if waits[1].revents != 0 {
            wake.drain();
        }
        if shared.is_stopping() {
            break;
        }
        if waits[0].revents == 0 {
            continue;
        }
        let (client, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(_) => {
                // Out of descriptors or an aborted handshake: try later.
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        if shared.refusing() {
            shared.refused.fetch_add(1, Ordering::SeqCst);
            drop(client);
            continue;
        }
        let Ok((waker, wake)) = poll::waker() else {
            continue;
        };
        // The accepted socket may inherit non-blocking mode on some
        // systems; the connection sets its own modes.
        let _ = client.set_nonblocking(false);
        let handle = shared.register(waker, peer, route);
        let conn = Conn {
            client,
            peer,
            upstream: route.upstream,
            wake,
        };
        let (thread_shared, thread_handle) = (Arc::clone(shared), Arc::clone(&handle));
        let spawned = thread::Builder::new()
            .name(format!("px{port}:{}", handle.id))
            .spawn(move || conn::run(&thread_shared, &thread_handle, conn));
        match spawned {
            Ok(thread) => {
                let mut threads = lock(&shared.threads);
                threads.retain(|t| !t.is_finished());
                threads.push(thread);
            }
            Err(_) => shared.unregister(&handle),
        }
    }
}

fn listener_fd(listener: &TcpListener) -> std::os::fd::RawFd {
    use std::os::fd::AsRawFd;
    listener.as_raw_fd()
}
