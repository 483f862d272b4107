//! The session without sockets: bytes in, bytes out, at given times.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Ctx, Ending, Session, Side};
use crate::config::parse_faults;
use crate::faults::FaultSet;
use crate::stats::ConnStats;

fn session(config: &str, now: Instant) -> Session {
    let mut set = FaultSet::default();
    for (i, mut fault) in parse_faults(config).unwrap().into_iter().enumerate() {
        if !fault.is_named() {
            fault.set_name(format!("f{i}"));
        }
        set.upsert(fault);
    }
    Session::new(
        "127.0.0.1:5000".parse().unwrap(),
        "127.0.0.1:6379".parse().unwrap(),
        Arc::new(set),
        1,
        false,
        now,
    )
}

/// Everything `side` may be sent at `now`.
fn drain(s: &mut Session, side: Side, now: Instant) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(chunk) = s.next_chunk(side, now) {
        let chunk = chunk.to_vec();
        out.extend_from_slice(&chunk);
        s.sent(side, chunk.len(), now);
    }
    out
}

fn client(s: &mut Session, stats: &mut ConnStats, bytes: &[u8], now: Instant) {
    let mut ctx = Ctx {
        stats,
        addrs: None,
        dropped: None,
    };
    s.handle_client(bytes, now, &mut ctx);
}

fn server(s: &mut Session, stats: &mut ConnStats, bytes: &[u8], now: Instant) {
    let mut ctx = Ctx {
        stats,
        addrs: None,
        dropped: None,
    };
    s.handle_server(bytes, now, &mut ctx);
}

const REQUESTS: &[u8] = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nabc\r\n*1\r\n$4\r\nPING\r\n";
const REPLIES: &[u8] = b"$-1\r\n+PONG\r\n>2\r\n$4\r\npush\r\n:1\r\n+OK\r\n+PONG\r\n";

#[test]
fn every_split_point_passes_bytes_through_and_pairs_them() {
    let now = Instant::now();
    for at in 0..=REQUESTS.len() {
        let mut s = session("[]", now);
        let mut stats = ConnStats::default();
        client(&mut s, &mut stats, &REQUESTS[..at], now);
        let mut to_server = drain(&mut s, Side::Server, now);
        client(&mut s, &mut stats, &REQUESTS[at..], now);
        to_server.extend(drain(&mut s, Side::Server, now));
        assert_eq!(to_server, REQUESTS, "split at {at}");
        assert_eq!(stats.commands, 4);
        for at in 0..=REPLIES.len() {
            let mut s2 = session("[]", now);
            let mut stats = ConnStats::default();
            client(&mut s2, &mut stats, REQUESTS, now);
            drain(&mut s2, Side::Server, now);
            server(&mut s2, &mut stats, &REPLIES[..at], now);
            let mut to_client = drain(&mut s2, Side::Client, now);
            server(&mut s2, &mut stats, &REPLIES[at..], now);
            to_client.extend(drain(&mut s2, Side::Client, now));
            assert_eq!(to_client, REPLIES, "split at {at}");
            assert_eq!((stats.replies, stats.pushes), (4, 1), "split at {at}");
        }
    }
}

#[test]
fn a_delayed_reply_holds_the_ones_behind_it() {
    let now = Instant::now();
    let mut s = session(
        r#"[{"commands": ["get"], "delay": 0.1, "direction": "reply"}]"#,
        now,
    );
    let mut stats = ConnStats::default();
    client(&mut s, &mut stats, REQUESTS, now);
    assert_eq!(
        drain(&mut s, Side::Server, now),
        REQUESTS,
        "forwarded at once"
    );
    server(&mut s, &mut stats, REPLIES, now);
    assert_eq!(drain(&mut s, Side::Client, now), b"");
    let later = now + Duration::from_millis(100);
    assert_eq!(s.deadline(), Some(later));
    assert_eq!(drain(&mut s, Side::Client, later), REPLIES);
}

#[test]
fn a_delayed_request_holds_the_requests_behind_it() {
    let now = Instant::now();
    let mut s = session(r#"[{"commands": ["get"], "delay": 0.1}]"#, now);
    let mut stats = ConnStats::default();
    client(&mut s, &mut stats, REQUESTS, now);
    assert_eq!(drain(&mut s, Side::Server, now), b"");
    let later = now + Duration::from_millis(100);
    assert_eq!(
        drain(&mut s, Side::Server, later),
        REQUESTS,
        "still pipelined, in order"
    );
}

#[test]
fn an_injected_error_waits_for_the_replies_before_it() {
    let now = Instant::now();
    let mut s = session(r#"[{"commands": ["set"], "error": "-TRYAGAIN"}]"#, now);
    let mut stats = ConnStats::default();
    client(&mut s, &mut stats, REQUESTS, now);
    // SET is not forwarded.
    let forwarded = drain(&mut s, Side::Server, now);
    assert_eq!(
        forwarded,
        b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n*1\r\n$4\r\nPING\r\n"
    );
    assert_eq!(drain(&mut s, Side::Client, now), b"", "GET's reply first");
    server(&mut s, &mut stats, b"$-1\r\n+PONG\r\n", now);
    assert_eq!(
        drain(&mut s, Side::Client, now),
        b"$-1\r\n+PONG\r\n-TRYAGAIN\r\n"
    );
    server(&mut s, &mut stats, b"+PONG\r\n", now);
    assert_eq!(drain(&mut s, Side::Client, now), b"+PONG\r\n");
    assert_eq!(stats.replies, 4);
}

#[test]
fn resp3_subscribers_stay_paired_resp2_ones_do_not() {
    let now = Instant::now();
    let mut s = session(r#"[{"commands": ["ping"], "error": "-ERR no"}]"#, now);
    let mut stats = ConnStats::default();
    client(&mut s, &mut stats, b"HELLO 3\r\nSUBSCRIBE ch\r\n", now);
    server(
        &mut s,
        &mut stats,
        b"%1\r\n$6\r\nserver\r\n$5\r\nredis\r\n>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
        now,
    );
    client(&mut s, &mut stats, b"PING\r\n", now);
    let out = drain(&mut s, Side::Client, now);
    assert!(
        out.ends_with(b"-ERR no\r\n"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert_eq!((stats.replies, stats.pushes), (2, 1));

    let mut s = session(r#"[{"commands": ["ping"], "error": "-ERR no"}]"#, now);
    client(&mut s, &mut stats, b"SUBSCRIBE ch\r\nPING\r\n", now);
    assert_eq!(
        drain(&mut s, Side::Server, now),
        b"SUBSCRIBE ch\r\nPING\r\n",
        "unpaired: no rule applies"
    );
}

#[test]
fn a_malformed_request_is_answered_in_turn_then_closed() {
    let now = Instant::now();
    let mut s = session("[]", now);
    let mut stats = ConnStats::default();
    client(&mut s, &mut stats, b"PING\r\n*1\r\n$x\r\nPING\r\n", now);
    assert_eq!(drain(&mut s, Side::Server, now), b"PING\r\n");
    assert!(!s.wants_read(Side::Client));
    assert_eq!(s.close(now), None, "PING's reply is still due");
    server(&mut s, &mut stats, b"+PONG\r\n", now);
    let out = drain(&mut s, Side::Client, now);
    assert!(
        out.starts_with(b"+PONG\r\n-ERR Protocol error"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert_eq!(s.close(now), Some(Ending::Close));
}

#[test]
fn the_end_of_a_stream_is_passed_on_after_its_data() {
    let now = Instant::now();
    let mut s = session(
        r#"{"toxics": [{"type": "latency", "stream": "upstream", "attributes": {"latency": 50}}]}"#,
        now,
    );
    let mut stats = ConnStats::default();
    client(&mut s, &mut stats, b"PING\r\n", now);
    s.client_closed(now);
    assert!(!s.take_eof(Side::Server, now), "the data first");
    let later = now + Duration::from_millis(50);
    assert_eq!(drain(&mut s, Side::Server, later), b"PING\r\n");
    assert!(s.take_eof(Side::Server, later));
    s.server_closed(later);
    assert!(s.take_eof(Side::Client, later));
    assert!(s.is_done());
}

/// Random bytes both ways, in random pieces, with every kind of rule in
/// force: no panic, and nothing is sent that did not come in (plus the
/// proxy's own errors and pushes).
#[test]
fn random_bytes_never_panic() {
    let config = r#"[{"commands": ["get"], "error": "-ERR x"},
                     {"key_glob": "a*", "delay": 0.001, "direction": "reply"},
                     {"commands": ["set"], "truncate_reply": true},
                     {"commands": ["ping"], "push": ["p"]},
                     {"commands": ["del"], "drop_reply": true}]"#;
    let alphabet: &[u8] = b"*$+-:>%_#,(!=~|\r\n0123456789GETSPINgetpingDELa ";
    let mut rng = crate::rng::Rng::new(42);
    let now = Instant::now();
    for case in 0..300 {
        let mut s = session(config, now);
        let mut stats = ConnStats::default();
        let mut t = now;
        let (mut sent_in, mut got_out) = (0usize, 0usize);
        for _ in 0..20 {
            let len = rng.below(64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect();
            sent_in += bytes.len();
            if rng.below(2) == 0 {
                client(&mut s, &mut stats, &bytes, t);
            } else {
                server(&mut s, &mut stats, &bytes, t);
            }
            t += Duration::from_millis(rng.below(3));
            got_out += drain(&mut s, Side::Server, t).len();
            got_out += drain(&mut s, Side::Client, t).len();
            let _ = s.close(t);
        }
        assert!(
            got_out <= sent_in + 64 * 20,
            "case {case}: {got_out} out for {sent_in} in"
        );
    }
}

#[test]
fn without_rules_a_request_goes_on_as_it_arrives_with_rules_when_complete() {
    let now = Instant::now();
    let set = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nabc\r\n";
    let mut s = session("[]", now);
    let mut stats = ConnStats::default();
    client(&mut s, &mut stats, &set[..10], now);
    assert_eq!(drain(&mut s, Side::Server, now), &set[..10]);
    // A rule that would refuse SETs comes in: the SET already under way
    // goes on unchanged, the next one is refused.
    let faults = session(r#"[{"commands": ["set"], "error": "-ERR no"}]"#, now)
        .faults
        .clone();
    s.set_faults(faults, now);
    client(&mut s, &mut stats, &set[10..], now);
    assert_eq!(drain(&mut s, Side::Server, now), &set[10..]);
    client(&mut s, &mut stats, &set[..10], now);
    assert_eq!(drain(&mut s, Side::Server, now), b"", "held until complete");
    client(&mut s, &mut stats, &set[10..], now);
    assert_eq!(drain(&mut s, Side::Server, now), b"", "refused");
    server(&mut s, &mut stats, b"+OK\r\n", now);
    assert_eq!(drain(&mut s, Side::Client, now), b"+OK\r\n-ERR no\r\n");
}
