//! `SCAN`, `HSCAN`, `SSCAN` and `ZSCAN` as iterators.

use std::collections::VecDeque;

use crate::commands::Handle;
use crate::error::Result;
use crate::types::{FromReply, ToArg};
use crate::Cmd;

/// Filters for a scan: `MATCH`, `COUNT` and (for `SCAN`) `TYPE`.
///
/// With a [key prefix](crate::ClientBuilder::key_prefix), the pattern is
/// not prefixed: include the prefix in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOptions {
    pattern: Option<Vec<u8>>,
    count: Option<usize>,
    kind: Option<String>,
}

impl ScanOptions {
    /// `MATCH pattern`: only elements matching the glob-style pattern.
    pub fn pattern(mut self, pattern: impl Into<Vec<u8>>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// `COUNT n`: a hint of how much work each page does.
    pub fn count(mut self, count: usize) -> Self {
        self.count = Some(count);
        self
    }

    /// `TYPE type`: only keys of that type (`SCAN` only).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }
}

/// The elements of a scan, fetched a page at a time as the iteration goes.
///
/// As Redis documents for `SCAN`: an element present for the whole
/// iteration is returned at least once, but may be returned more than once;
/// elements added or removed meanwhile may or may not be returned.
///
/// On an error, the iterator yields it and stops.
pub struct ScanIter<H: Handle, T> {
    handle: H,
    command: &'static str,
    key: Option<Vec<u8>>,
    options: ScanOptions,
    cursor: Vec<u8>,
    page: VecDeque<T>,
    done: bool,
}

impl<H: Handle, T: FromReply> ScanIter<H, T> {
    fn new(handle: H, command: &'static str, key: Option<Vec<u8>>, options: ScanOptions) -> Self {
        ScanIter {
            handle,
            command,
            key,
            options,
            cursor: b"0".to_vec(),
            page: VecDeque::new(),
            done: false,
        }
    }

    fn fetch(&mut self) -> Result<()> {
        let mut cmd = Cmd::new(self.command);
        if let Some(key) = &self.key {
            cmd.add_arg(&key[..]);
        }
        cmd.add_arg(&self.cursor[..]);
        if let Some(pattern) = &self.options.pattern {
            cmd.add_arg("MATCH").add_arg(&pattern[..]);
        }
        if let Some(count) = self.options.count {
            cmd.add_arg("COUNT").add_arg(count);
        }
        if let Some(kind) = &self.options.kind {
            cmd.add_arg("TYPE").add_arg(&kind[..]);
        }
        let (cursor, items): (Vec<u8>, Vec<T>) = self.handle.execute(&cmd)?;
        self.done = cursor == b"0";
        self.cursor = cursor;
        self.page.extend(items);
        Ok(())
    }
}

impl<H: Handle, T: FromReply> Iterator for ScanIter<H, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.page.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.fetch() {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

/// Scans as iterators, on every [`Handle`]: a shared client by `&self`
/// (each page may come from another pooled connection; the cursor is the
/// server's, so that is fine), a connection by `&mut self`.
///
/// # Example
///
/// ```no_run
/// use redis_blocking::prelude::*;
/// use redis_blocking::ScanOptions;
///
/// let mut conn = Connection::open_url("redis://127.0.0.1")?;
/// for key in conn.scan_iter::<String>(ScanOptions::default().pattern("user:*").count(500)) {
///     println!("{}", key?);
/// }
/// for field_value in conn.hscan_iter::<_, (String, String)>("user:1", ScanOptions::default()) {
///     let (field, value) = field_value?;
///     println!("{field} = {value}");
/// }
/// # Ok::<(), redis_blocking::Error>(())
/// ```
pub trait ScanCommands: Handle + Sized {
    /// `SCAN`: keys.
    fn scan_iter<T: FromReply>(self, options: ScanOptions) -> ScanIter<Self, T> {
        ScanIter::new(self, "SCAN", None, options)
    }

    /// `HSCAN key`: `(field, value)` pairs.
    fn hscan_iter<'k, K: ToArg<'k>, T: FromReply>(
        self,
        key: K,
        options: ScanOptions,
    ) -> ScanIter<Self, T> {
        ScanIter::new(self, "HSCAN", Some(key_bytes(key)), options)
    }

    /// `SSCAN key`: members.
    fn sscan_iter<'k, K: ToArg<'k>, T: FromReply>(
        self,
        key: K,
        options: ScanOptions,
    ) -> ScanIter<Self, T> {
        ScanIter::new(self, "SSCAN", Some(key_bytes(key)), options)
    }

    /// `ZSCAN key`: `(member, score)` pairs.
    fn zscan_iter<'k, K: ToArg<'k>, T: FromReply>(
        self,
        key: K,
        options: ScanOptions,
    ) -> ScanIter<Self, T> {
        ScanIter::new(self, "ZSCAN", Some(key_bytes(key)), options)
    }
}

impl<H: Handle> ScanCommands for H {}

fn key_bytes<'k, K: ToArg<'k>>(key: K) -> Vec<u8> {
    Cmd::new("")
        .arg(key)
        .arg_bytes(1)
        .unwrap_or_default()
        .to_vec()
}
