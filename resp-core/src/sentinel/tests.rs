//! The resolution state machine and the reply readers, in memory.

use super::*;
use crate::{Decoder, Frame, OwnedFrame, Status};

fn addr(host: &[u8], port: &[u8]) -> Frame<'static> {
    Frame::Array(vec![
        Frame::Bulk(host.to_vec().into()),
        Frame::Bulk(port.to_vec().into()),
    ])
}

/// Runs a resolution against scripted sentinels: `None` is unreachable,
/// `Some(replies)` answers each command in turn.
fn run(
    resolution: &mut Resolution<&'static str>,
    script: &[(&'static str, Option<Vec<Frame<'static>>>)],
) -> Vec<String> {
    let mut asked = Vec::new();
    while let Some(&sentinel) = resolution.poll_sentinel() {
        let (_, replies) = script
            .iter()
            .find(|(s, _)| *s == sentinel)
            .expect("a scripted sentinel");
        let Some(replies) = replies else {
            resolution.handle_unreachable("connection refused");
            continue;
        };
        resolution.handle_connected();
        let mut replies = replies.iter();
        let mut out = Vec::new();
        while resolution.poll_command(&mut out) {
            assert!(!resolution.poll_command(&mut out), "one command at a time");
            asked.push(format!(
                "{sentinel} {}",
                String::from_utf8_lossy(&out).replace("\r\n", " ")
            ));
            out.clear();
            match replies.next() {
                Some(reply) => resolution.handle_reply(reply),
                None => resolution.handle_unreachable("timed out"),
            }
        }
    }
    asked
}

#[test]
fn sentinels_are_asked_in_order_until_one_answers() {
    let mut resolution = Resolution::new(
        "mymaster",
        vec!["s1", "s2", "s3", "s4", "s5"],
        Query::Master,
    );
    let sentinels = Frame::Array(vec![Frame::Map(vec![
        (Frame::bulk(b"ip"), Frame::bulk(b"10.0.0.7")),
        (Frame::bulk(b"port"), Frame::bulk(b"26380")),
    ])]);
    let asked = run(
        &mut resolution,
        &[
            ("s1", None),
            (
                "s2",
                Some(vec![Frame::error(b"NOAUTH Authentication required.")]),
            ),
            ("s3", Some(vec![Frame::Array(vec![Frame::Integer(1)])])),
            ("s4", Some(vec![addr(b"10.0.0.1", b"6379"), sentinels])),
            ("s5", Some(vec![addr(b"10.0.0.9", b"6379")])),
        ],
    );
    assert_eq!(
        asked,
        [
            "s2 *3 $8 SENTINEL $23 get-master-addr-by-name $8 mymaster ",
            "s3 *3 $8 SENTINEL $23 get-master-addr-by-name $8 mymaster ",
            "s4 *3 $8 SENTINEL $23 get-master-addr-by-name $8 mymaster ",
            "s4 *3 $8 SENTINEL $9 sentinels $8 mymaster ",
        ]
    );
    let outcomes: Vec<String> = resolution
        .attempts()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(
        outcomes,
        [
            "s1: connection refused",
            "s2: refused: NOAUTH Authentication required.",
            "s3: malformed reply: not a [host, port] pair",
        ]
    );
    let found = resolution.finish().unwrap();
    assert_eq!(found.sentinel, "s4");
    assert_eq!(found.master.unwrap().to_string(), "10.0.0.1:6379");
    assert_eq!(found.discovered[0].to_string(), "10.0.0.7:26380");
}

#[test]
fn the_three_failures_are_distinct() {
    let mut none = Resolution::new("m", vec!["s1", "s2"], Query::Master);
    run(&mut none, &[("s1", None), ("s2", Some(vec![]))]);
    let e = none.finish().unwrap_err();
    assert!(
        matches!(e, SentinelError::NoSentinelReachable { .. }),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "no sentinel reachable for master 'm' (s1: connection refused; s2: timed out)"
    );
    assert_eq!(e.attempts().len(), 2);

    // One sentinel down, the other does not know the name.
    let mut unknown = Resolution::new("m", vec!["s1", "s2"], Query::Master);
    run(
        &mut unknown,
        &[("s1", None), ("s2", Some(vec![Frame::NullArray]))],
    );
    let e = unknown.finish().unwrap_err();
    assert!(matches!(e, SentinelError::UnknownMaster { .. }), "{e}");
    assert!(
        e.to_string().contains("s2: does not know this master"),
        "{e}"
    );
    // RESP3's null too.
    let mut unknown = Resolution::new("m", vec!["s1"], Query::Master);
    run(&mut unknown, &[("s1", Some(vec![Frame::Null]))]);
    assert!(matches!(
        unknown.finish(),
        Err(SentinelError::UnknownMaster { .. })
    ));

    let empty = Resolution::<&str>::new("m", vec![], Query::Master);
    assert_eq!(empty.poll_sentinel(), None);
    let e = empty.finish().unwrap_err();
    assert_eq!(
        e.to_string(),
        "no sentinel reachable for master 'm' (no sentinel configured)"
    );
}

#[test]
fn a_rejected_answer_sends_the_resolution_on() {
    let replica = Endpoint::parse(b"10.0.0.2", b"6380").unwrap();
    // A stale sentinel first names the replica; the next one knows better.
    let mut resolution = Resolution::new("m", vec!["stale", "good"], Query::Master)
        .discover(false)
        .reject(replica.clone(), "role slave");
    run(
        &mut resolution,
        &[
            ("stale", Some(vec![addr(b"10.0.0.2", b"6380")])),
            ("good", Some(vec![addr(b"10.0.0.1", b"6379")])),
        ],
    );
    let found = resolution.finish().unwrap();
    assert_eq!((found.sentinel, found.master.unwrap().port), ("good", 6379));
    // Every sentinel names the rejected server: not confirmed.
    let mut resolution =
        Resolution::new("m", vec!["a", "b", "c"], Query::Master).reject(replica, "role slave");
    run(
        &mut resolution,
        &[
            ("a", Some(vec![addr(b"10.0.0.2", b"6380")])),
            ("b", None),
            ("c", Some(vec![Frame::NullArray])),
        ],
    );
    let e = resolution.finish().unwrap_err();
    assert!(matches!(e, SentinelError::MasterNotConfirmed { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("a: named 10.0.0.2:6380, which is not a master (role slave)"),
        "{e}"
    );
}

#[test]
fn failed_discovery_keeps_the_answer() {
    for discovery in [
        None,
        Some(Frame::error(b"ERR nope")),
        Some(Frame::Integer(3)),
    ] {
        let mut resolution = Resolution::new("m", vec!["s1", "s2"], Query::Master);
        let mut replies = vec![addr(b"h", b"1")];
        replies.extend(discovery);
        run(&mut resolution, &[("s1", Some(replies))]);
        let found = resolution.finish().unwrap();
        assert_eq!((found.sentinel, found.discovered.len()), ("s1", 0));
    }
}

#[test]
fn replies_out_of_turn_are_ignored() {
    let mut resolution = Resolution::new("m", vec!["s1"], Query::Master);
    // Nothing was asked yet.
    resolution.handle_reply(&addr(b"h", b"1"));
    let mut out = Vec::new();
    assert!(!resolution.poll_command(&mut out), "not connected yet");
    resolution.handle_connected();
    assert!(resolution.poll_command(&mut out));
    resolution.handle_reply(&Frame::NullArray);
    resolution.handle_reply(&addr(b"h", b"1"));
    assert_eq!(resolution.poll_sentinel(), None);
    assert!(!resolution.poll_command(&mut out));
    resolution.handle_unreachable("late");
    assert!(matches!(
        resolution.finish(),
        Err(SentinelError::UnknownMaster { .. })
    ));
}

/// `SENTINEL replicas mymaster` from redis-sentinel 7.0.15, RESP2 then
/// RESP3 (one replica, link up).
const REPLICAS_RESP2: &[u8] = b"*1\r\n*10\r\n$4\r\nname\r\n$15\r\n127.0.0.1:23002\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n23002\r\n$5\r\nflags\r\n$5\r\nslave\r\n$18\r\nmaster-link-status\r\n$2\r\nok\r\n";
const REPLICAS_RESP3: &[u8] = b"*2\r\n%5\r\n$4\r\nname\r\n$15\r\n127.0.0.1:23002\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n23002\r\n$5\r\nflags\r\n$12\r\nslave,s_down\r\n$18\r\nmaster-link-status\r\n$3\r\nerr\r\n%2\r\n$2\r\nip\r\n$8\r\n10.0.0.5\r\n$4\r\nport\r\n$1\r\n0\r\n";

/// Decodes `bytes` whole and from every two-way split.
fn decode_every_split(bytes: &[u8]) -> OwnedFrame {
    let whole = match Decoder::new().decode(bytes).unwrap() {
        Status::Complete((frame, used)) => {
            assert_eq!(used, bytes.len());
            frame.into_owned()
        }
        Status::Partial => panic!("a whole reply"),
    };
    for split in 1..bytes.len() {
        let mut decoder = Decoder::new();
        assert!(decoder.decode(&bytes[..split]).unwrap().is_partial());
        match decoder.decode(bytes).unwrap() {
            Status::Complete((frame, _)) => assert_eq!(frame.into_owned(), whole),
            Status::Partial => panic!("split at {split}"),
        }
    }
    whole
}

#[test]
fn replicas_read_in_both_protocols() {
    let resp2 = decode_every_split(REPLICAS_RESP2);
    let replicas = replicas_reply(&resp2).unwrap();
    assert_eq!(replicas.len(), 1);
    assert_eq!(replicas[0].addr.to_string(), "127.0.0.1:23002");
    assert_eq!(replicas[0].flags, ["slave"]);
    assert!(replicas[0].is_healthy());

    // The second entry has port 0: left out.
    let resp3 = decode_every_split(REPLICAS_RESP3);
    let replicas = replicas_reply(&resp3).unwrap();
    assert_eq!(replicas.len(), 1);
    assert_eq!(replicas[0].flags, ["slave", "s_down"]);
    assert!(!replicas[0].is_healthy());

    let mut resolution = Resolution::new("m", vec!["s1", "s2"], Query::Replicas);
    run(
        &mut resolution,
        &[
            (
                "s1",
                Some(vec![Frame::error(b"ERR No such master with that name")]),
            ),
            ("s2", Some(vec![resp2])),
        ],
    );
    let found = resolution.finish().unwrap();
    assert_eq!((found.sentinel, found.replicas.len()), ("s2", 1));
    let mut resolution = Resolution::new("m", vec!["s1"], Query::Replicas);
    run(
        &mut resolution,
        &[(
            "s1",
            Some(vec![Frame::error(b"ERR No such master with that name")]),
        )],
    );
    assert!(matches!(
        resolution.finish(),
        Err(SentinelError::UnknownMaster { .. })
    ));
}

#[test]
fn addresses_are_checked() {
    for (host, port) in [
        (&b""[..], &b"1"[..]),
        (b"h", b""),
        (b"h", b"65536"),
        (b"h", b"-1"),
        (b"h", b"+1"),
        (b"h h", b"1"),
        (b"h\xff", b"1"),
        (b"[::1", b"1"),
    ] {
        assert!(Endpoint::parse(host, port).is_none(), "{host:?} {port:?}");
        assert!(master_addr_reply(&addr(host, port)).is_err());
    }
    let e = master_addr_reply(&Frame::Integer(1)).unwrap_err();
    assert_eq!(e.to_string(), "malformed reply: not an array");
    assert!(sentinels_reply(&Frame::Integer(1)).is_err());
    // Entries of the wrong shape are left out, not trusted.
    let odd = Frame::Array(vec![
        Frame::Array(vec![Frame::bulk(b"ip")]),
        Frame::Integer(2),
    ]);
    assert_eq!(sentinels_reply(&odd).unwrap(), []);
}

#[test]
fn switch_master_messages() {
    let m = SwitchMaster::parse(b"my master ::1 6379 10.0.0.2 6380").unwrap();
    assert_eq!(m.name, "my master");
    assert_eq!(m.old.to_string(), "[::1]:6379");
    assert_eq!(m.new.to_string(), "10.0.0.2:6380");
    for bad in [
        &b""[..],
        b"m",
        b" 1.1.1.1 1 2.2.2.2 2",
        b"m 1.1.1.1 1 2.2.2.2 x",
        b"m 1.1.1.1 1 2.2.2.2 0",
        b"m 1.1.1.1 1 2.2.2.2",
    ] {
        assert!(SwitchMaster::parse(bad).is_none(), "{bad:?}");
    }
}

#[test]
fn the_list_is_bounded() {
    let mut list = SentinelList::new(0..10);
    for i in 0..1000 {
        list.add(i);
    }
    assert_eq!(list.len(), MAX_SENTINELS);
    list.promote(&63);
    assert_eq!(list.to_vec()[..3], [63, 0, 1]);
    list.promote(&5000);
    assert_eq!(list.to_vec()[0], 63);
}
