//! Turning a complete tape of tokens into a [`Frame`] that borrows the
//! buffer. Runs once per frame, with an explicit stack.

use std::borrow::Cow;

use super::scan::{Agg, Span, Token};
use crate::frame::{Attributed, Frame};

/// One tape entry: a token, with streamed lengths resolved.
///
/// `Open(_, Some(n))` is followed by its `n` elements (pairs count twice,
/// an attribute is followed by its pairs and then the frame it describes);
/// `OpenString` by its chunks up to an empty one.
pub(crate) type Node = Token;

/// An aggregate being filled.
enum Building<'b> {
    Seq {
        agg: Agg,
        items: Vec<Frame<'b>>,
        want: usize,
    },
    Pairs {
        agg: Agg,
        pairs: Vec<(Frame<'b>, Frame<'b>)>,
        key: Option<Frame<'b>>,
        want: usize,
    },
}

impl<'b> Building<'b> {
    fn new(agg: Agg, n: usize) -> Self {
        // `n` counts elements that are all on the tape already, so this
        // allocation is bounded by the bytes received.
        match agg {
            Agg::Map | Agg::Attribute => Building::Pairs {
                agg,
                pairs: Vec::with_capacity(n),
                key: None,
                want: n,
            },
            _ => Building::Seq {
                agg,
                items: Vec::with_capacity(n),
                want: n,
            },
        }
    }

    /// Adds `frame`; gives back the finished aggregate once it is full.
    fn push(&mut self, frame: Frame<'b>) -> Option<Frame<'b>> {
        match self {
            Building::Seq { agg, items, want } => {
                items.push(frame);
                if items.len() < *want {
                    return None;
                }
                let items = std::mem::take(items);
                Some(match agg {
                    Agg::Set => Frame::Set(items),
                    Agg::Push => Frame::Push(items),
                    _ => Frame::Array(items),
                })
            }
            Building::Pairs {
                agg,
                pairs,
                key,
                want,
            } => {
                if pairs.len() == *want {
                    // An attribute's pairs are complete: this is the frame
                    // it describes.
                    let attributes = std::mem::take(pairs);
                    return Some(Frame::Attributed(Box::new(Attributed {
                        attributes,
                        frame,
                    })));
                }
                match key.take() {
                    None => {
                        *key = Some(frame);
                        return None;
                    }
                    Some(k) => pairs.push((k, frame)),
                }
                if pairs.len() < *want || *agg == Agg::Attribute {
                    return None;
                }
                Some(Frame::Map(std::mem::take(pairs)))
            }
        }
    }
}

/// Builds the frame that `tape` describes; `tape` must be complete.
pub(crate) fn build<'b>(tape: &[Node], buf: &'b [u8]) -> Frame<'b> {
    let mut stack: Vec<Building<'b>> = Vec::new();
    let mut nodes = tape.iter();
    while let Some(node) = nodes.next() {
        let mut frame = match *node {
            Token::Open(agg, Some(n)) => {
                if n == 0 && agg != Agg::Attribute {
                    empty(agg)
                } else {
                    stack.push(Building::new(agg, n));
                    continue;
                }
            }
            Token::OpenString => {
                let mut joined = Vec::new();
                for chunk in nodes.by_ref() {
                    match *chunk {
                        Token::Chunk(span) if span.start < span.end => {
                            joined.extend_from_slice(&buf[span.start..span.end])
                        }
                        _ => break,
                    }
                }
                Frame::Bulk(Cow::Owned(joined))
            }
            scalar => scalar_frame(scalar, buf),
        };
        loop {
            let Some(top) = stack.last_mut() else {
                return frame;
            };
            match top.push(frame) {
                None => break,
                Some(done) => {
                    stack.pop();
                    frame = done;
                }
            }
        }
    }
    // Unreachable with a complete tape; an empty array keeps this total.
    debug_assert!(false, "incomplete tape");
    Frame::Array(Vec::new())
}

fn empty<'b>(agg: Agg) -> Frame<'b> {
    match agg {
        Agg::Map | Agg::Attribute => Frame::Map(Vec::new()),
        Agg::Set => Frame::Set(Vec::new()),
        Agg::Push => Frame::Push(Vec::new()),
        Agg::Array => Frame::Array(Vec::new()),
    }
}

/// Converts a leaf token.
#[inline]
pub(crate) fn scalar_frame(token: Token, buf: &[u8]) -> Frame<'_> {
    let bytes = |s: Span| Cow::Borrowed(&buf[s.start..s.end]);
    // Doubles and big numbers were checked to be ASCII while scanning.
    let text = |s: Span| Cow::Borrowed(std::str::from_utf8(&buf[s.start..s.end]).unwrap_or(""));
    match token {
        Token::Simple(s) => Frame::Simple(bytes(s)),
        Token::Error(s) => Frame::Error(bytes(s)),
        Token::Integer(i) => Frame::Integer(i),
        Token::Bulk(s) => Frame::Bulk(bytes(s)),
        Token::NullBulk => Frame::NullBulk,
        Token::NullArray => Frame::NullArray,
        Token::Null => Frame::Null,
        Token::Boolean(b) => Frame::Boolean(b),
        Token::Double(s) => Frame::Double(text(s)),
        Token::BigNumber(s) => Frame::BigNumber(text(s)),
        Token::BulkError(s) => Frame::BulkError(bytes(s)),
        Token::Verbatim(s) => Frame::Verbatim {
            format: [buf[s.start], buf[s.start + 1], buf[s.start + 2]],
            text: Cow::Borrowed(&buf[s.start + 4..s.end]),
        },
        // Headers never reach here; the tape holds them as aggregates.
        Token::Open(..) | Token::OpenString | Token::Chunk(_) | Token::End => {
            debug_assert!(false, "not a leaf: {token:?}");
            Frame::Null
        }
    }
}
