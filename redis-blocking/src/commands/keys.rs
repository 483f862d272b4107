//! Commands on keys of any type: existence, expiry, renaming.

use crate::Cmd;

commands! {
    /// Commands on keys of any type.
    pub trait KeyCommands;

    /// `DEL key...`: how many were removed.
    fn del<K: ToArgs>(keys: K) -> Cmd::new("DEL").arg(keys);
    /// `UNLINK key...`: `DEL` with the memory freed in the background.
    fn unlink<K: ToArgs>(keys: K) -> Cmd::new("UNLINK").arg(keys);
    /// `EXISTS key...`: how many exist.
    fn exists<K: ToArgs>(keys: K) -> Cmd::new("EXISTS").arg(keys);
    /// `TYPE key`: `string`, `list`, ... or `none`.
    fn key_type<K: ToArg>(key: K) -> Cmd::new("TYPE").arg(key);
    /// `EXPIRE key seconds`: true if set.
    fn expire<K: ToArg>(key: K, seconds: i64) -> Cmd::new("EXPIRE").arg(key).arg(seconds);
    /// `PEXPIRE key milliseconds`.
    fn pexpire<K: ToArg>(key: K, millis: i64) -> Cmd::new("PEXPIRE").arg(key).arg(millis);
    /// `EXPIREAT key unix-seconds`.
    fn expire_at<K: ToArg>(key: K, at: i64) -> Cmd::new("EXPIREAT").arg(key).arg(at);
    /// `PEXPIREAT key unix-milliseconds`.
    fn pexpire_at<K: ToArg>(key: K, at: i64) -> Cmd::new("PEXPIREAT").arg(key).arg(at);
    /// `EXPIRETIME key`: unix seconds, -1 without expiry, -2 if missing.
    fn expire_time<K: ToArg>(key: K) -> Cmd::new("EXPIRETIME").arg(key);
    /// `TTL key`: seconds left, -1 without expiry, -2 if missing.
    fn ttl<K: ToArg>(key: K) -> Cmd::new("TTL").arg(key);
    /// `PTTL key`: milliseconds left.
    fn pttl<K: ToArg>(key: K) -> Cmd::new("PTTL").arg(key);
    /// `PERSIST key`: true if an expiry was removed.
    fn persist<K: ToArg>(key: K) -> Cmd::new("PERSIST").arg(key);
    /// `RENAME key newkey`.
    fn rename<K: ToArg, N: ToArg>(key: K, new_key: N) -> Cmd::new("RENAME").arg(key).arg(new_key);
    /// `RENAMENX key newkey`: true if renamed.
    fn rename_nx<K: ToArg, N: ToArg>(key: K, new_key: N) -> Cmd::new("RENAMENX").arg(key).arg(new_key);
    /// `COPY source destination`: true if copied.
    fn copy<K: ToArg, D: ToArg>(source: K, destination: D) -> Cmd::new("COPY").arg(source).arg(destination);
    /// `KEYS pattern`: blocks the server on large databases; prefer SCAN.
    fn keys<P: ToArg>(pattern: P) -> Cmd::new("KEYS").arg(pattern);
    /// `RANDOMKEY`.
    fn random_key() -> Cmd::new("RANDOMKEY");
    /// `TOUCH key...`: how many exist.
    fn touch<K: ToArgs>(keys: K) -> Cmd::new("TOUCH").arg(keys);
    /// `DUMP key`: the serialized value.
    fn dump<K: ToArg>(key: K) -> Cmd::new("DUMP").arg(key);
    /// `RESTORE key ttl serialized`.
    fn restore<K: ToArg, V: ToArg>(key: K, ttl_millis: u64, serialized: V) -> Cmd::new("RESTORE").arg(key).arg(ttl_millis).arg(serialized);
    /// `OBJECT ENCODING key`.
    fn object_encoding<K: ToArg>(key: K) -> Cmd::new("OBJECT").arg("ENCODING").arg(key);
    /// `OBJECT IDLETIME key`.
    fn object_idletime<K: ToArg>(key: K) -> Cmd::new("OBJECT").arg("IDLETIME").arg(key);
    /// `MEMORY USAGE key`.
    fn memory_usage<K: ToArg>(key: K) -> Cmd::new("MEMORY").arg("USAGE").arg(key);
}
