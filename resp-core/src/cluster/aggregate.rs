//! Combining the replies of a command sent to several nodes, or split
//! into one command per slot.

use super::plan::{ResponsePolicy, Split};
use crate::{Frame, OwnedFrame};

fn is_error(frame: &Frame<'_>) -> bool {
    match frame {
        Frame::Error(_) | Frame::BulkError(_) => true,
        Frame::Attributed(a) => is_error(&a.frame),
        _ => false,
    }
}

fn integer(frame: &Frame<'_>) -> Option<i64> {
    match frame {
        Frame::Integer(n) => Some(*n),
        Frame::Boolean(b) => Some(i64::from(*b)),
        Frame::Attributed(a) => integer(&a.frame),
        _ => None,
    }
}

fn mismatch(what: &str) -> OwnedFrame {
    Frame::Error(
        format!("ERR cluster replies of different shapes: {what}")
            .into_bytes()
            .into(),
    )
}

/// Integers, or arrays of integers element by element, folded with `f`.
fn fold(replies: &[OwnedFrame], f: fn(i64, i64) -> i64) -> OwnedFrame {
    if let Some(first) = replies.iter().map(integer).next().flatten() {
        let mut acc = first;
        for reply in &replies[1..] {
            match integer(reply) {
                Some(n) => acc = f(acc, n),
                None => return mismatch("integers expected"),
            }
        }
        return Frame::Integer(acc);
    }
    let arrays: Option<Vec<&Vec<OwnedFrame>>> = replies
        .iter()
        .map(|r| match r {
            Frame::Array(items) => Some(items),
            _ => None,
        })
        .collect();
    match arrays {
        Some(arrays) if arrays.windows(2).all(|w| w[0].len() == w[1].len()) => {
            let len = arrays.first().map_or(0, |a| a.len());
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                let column: Vec<OwnedFrame> = arrays.iter().map(|a| a[i].clone()).collect();
                out.push(fold(&column, f));
            }
            Frame::Array(out)
        }
        _ => mismatch("integers or arrays of integers expected"),
    }
}

/// Combines the replies of one command sent to several nodes, in the
/// order the nodes were asked; `names` labels each reply for
/// [`ResponsePolicy::Special`] (a map of node to reply).
///
/// An error reply wins where the policy needs every node
/// ([`AllSucceeded`](ResponsePolicy::AllSucceeded), the aggregates and the
/// default), and loses where one success is enough.
///
/// ```
/// use resp_core::cluster::{aggregate, ResponsePolicy};
/// use resp_core::Frame;
///
/// let replies = vec![Frame::Integer(3), Frame::Integer(4)];
/// assert_eq!(aggregate(ResponsePolicy::AggSum, replies, &[]), Frame::Integer(7));
/// let replies = vec![Frame::Array(vec![Frame::bulk(b"a")]), Frame::Array(vec![Frame::bulk(b"b")])];
/// assert_eq!(
///     aggregate(ResponsePolicy::Default, replies, &[]),
///     Frame::Array(vec![Frame::bulk(b"a"), Frame::bulk(b"b")])
/// );
/// ```
pub fn aggregate(policy: ResponsePolicy, replies: Vec<OwnedFrame>, names: &[String]) -> OwnedFrame {
    if replies.is_empty() {
        return Frame::Array(Vec::new());
    }
    let first_error = || replies.iter().find(|r| is_error(r)).cloned();
    match policy {
        ResponsePolicy::OneSucceeded => replies
            .iter()
            .find(|r| !is_error(r))
            .or(replies.last())
            .cloned()
            .unwrap_or(Frame::Null),
        ResponsePolicy::Special => Frame::Map(
            replies
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let name = names.get(i).cloned().unwrap_or_else(|| i.to_string());
                    (Frame::Bulk(name.into_bytes().into()), r)
                })
                .collect(),
        ),
        _ if first_error().is_some() => first_error().unwrap_or(Frame::Null),
        ResponsePolicy::AllSucceeded => replies.into_iter().next().unwrap_or(Frame::Null),
        ResponsePolicy::AggSum => fold(&replies, i64::saturating_add),
        ResponsePolicy::AggMin => fold(&replies, i64::min),
        ResponsePolicy::AggMax => fold(&replies, i64::max),
        ResponsePolicy::AggLogicalAnd => fold(&replies, |a, b| i64::from(a != 0 && b != 0)),
        ResponsePolicy::AggLogicalOr => fold(&replies, |a, b| i64::from(a != 0 || b != 0)),
        _ => {
            if replies.iter().all(|r| matches!(r, Frame::Array(_))) {
                Frame::Array(
                    replies
                        .into_iter()
                        .flat_map(|r| match r {
                            Frame::Array(items) => items,
                            _ => Vec::new(),
                        })
                        .collect(),
                )
            } else {
                // A single value (RANDOMKEY): the first that is not nil.
                let pick = replies
                    .iter()
                    .position(|r| !matches!(r, Frame::Null | Frame::NullBulk))
                    .unwrap_or(0);
                replies.into_iter().nth(pick).unwrap_or(Frame::Null)
            }
        }
    }
}

/// Combines the replies of a split command's parts (in the order of
/// [`Split::parts`]): arrays are put back in key order (an `MGET` of keys
/// in several slots answers as one `MGET` would), other replies combine by
/// the policy.
pub fn merge_split(split: &Split, replies: Vec<OwnedFrame>) -> OwnedFrame {
    if let Some(error) = replies.iter().find(|r| is_error(r)) {
        return error.clone();
    }
    if split.response != ResponsePolicy::Default {
        return aggregate(split.response, replies, &[]);
    }
    let mut out: Vec<Option<OwnedFrame>> = vec![None; split.keys];
    for (part, reply) in split.parts.iter().zip(replies) {
        let Frame::Array(items) = reply else {
            return mismatch("an array per slot expected");
        };
        if items.len() != part.keys.len() {
            return mismatch("one element per key expected");
        }
        for (rank, item) in part.keys.iter().zip(items) {
            out[*rank] = Some(item);
        }
    }
    Frame::Array(out.into_iter().map(|f| f.unwrap_or(Frame::Null)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{plan, Plan};

    #[test]
    fn policies_combine() {
        let err = Frame::error(b"ERR no");
        assert_eq!(
            aggregate(
                ResponsePolicy::AllSucceeded,
                vec![Frame::simple(b"OK"), err.clone()],
                &[]
            ),
            err
        );
        assert_eq!(
            aggregate(
                ResponsePolicy::OneSucceeded,
                vec![err.clone(), Frame::simple(b"OK")],
                &[]
            ),
            Frame::simple(b"OK")
        );
        let arrays = vec![
            Frame::Array(vec![Frame::Integer(1), Frame::Integer(0)]),
            Frame::Array(vec![Frame::Integer(1), Frame::Integer(1)]),
        ];
        assert_eq!(
            aggregate(ResponsePolicy::AggLogicalAnd, arrays, &[]),
            Frame::Array(vec![Frame::Integer(1), Frame::Integer(0)])
        );
        assert_eq!(
            aggregate(
                ResponsePolicy::AggMin,
                vec![Frame::Integer(5), Frame::Integer(2)],
                &[]
            ),
            Frame::Integer(2)
        );
        let named = aggregate(
            ResponsePolicy::Special,
            vec![Frame::Integer(1)],
            &["h:1".into()],
        );
        assert_eq!(
            named,
            Frame::Map(vec![(Frame::bulk(b"h:1"), Frame::Integer(1))])
        );
        assert!(is_error(&aggregate(
            ResponsePolicy::AggSum,
            vec![Frame::bulk(b"x")],
            &[]
        )));
        assert_eq!(
            aggregate(
                ResponsePolicy::Default,
                vec![Frame::NullBulk, Frame::bulk(b"k")],
                &[]
            ),
            Frame::bulk(b"k")
        );
    }

    #[test]
    fn split_replies_back_in_key_order() {
        let args: [&[u8]; 5] = [b"MGET", b"a", b"b", b"a", b"c"];
        let Plan::Split(split) = plan(&args) else {
            panic!()
        };
        let replies: Vec<OwnedFrame> = split
            .parts
            .iter()
            .map(|p| {
                Frame::Array(
                    p.args
                        .iter()
                        .map(|&i| Frame::Bulk(args[i].to_vec().into()))
                        .collect(),
                )
            })
            .collect();
        let merged = merge_split(&split, replies);
        assert_eq!(
            merged,
            Frame::Array(vec![
                Frame::bulk(b"a"),
                Frame::bulk(b"b"),
                Frame::bulk(b"a"),
                Frame::bulk(b"c")
            ])
        );
        let args: [&[u8]; 4] = [b"DEL", b"a", b"b", b"c"];
        let Plan::Split(split) = plan(&args) else {
            panic!()
        };
        let ones = vec![Frame::Integer(1); split.parts.len()];
        assert_eq!(
            merge_split(&split, ones),
            Frame::Integer(split.parts.len() as i64)
        );
    }
}
