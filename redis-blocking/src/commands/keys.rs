//! Commands on keys of any type: existence, expiry, renaming, copying,
//! sorting, serialization, moving between databases and servers.

use super::options::{CopyOptions, ExpireCondition, MigrateOptions, RestoreOptions, SortOptions};
use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// Commands on keys of any type.
    pub trait KeyCommands: Handle as KEYS;

    /// `DEL key...`: how many were removed.
    fn del<K: ToArgs<'a>>(keys: K) => Cmd::new("DEL").arg(keys);
    /// `UNLINK key...`: `DEL` with the memory freed in the background.
    fn unlink<K: ToArgs<'a>>(keys: K) => Cmd::new("UNLINK").arg(keys);
    /// `EXISTS key...`: how many exist.
    fn exists<K: ToArgs<'a>>(keys: K) => Cmd::new("EXISTS").arg(keys);
    /// `TYPE key`: `string`, `list`, ... or `none`.
    fn key_type<K: ToArg<'a>>(key: K) => Cmd::new("TYPE").arg(key);
    /// `EXPIRE key seconds`: true if set.
    fn expire<K: ToArg<'a>>(key: K, seconds: i64) => Cmd::new("EXPIRE").arg(key).arg(seconds);
    /// `EXPIRE key seconds NX|XX|GT|LT`: true if set (false when the
    /// condition failed).
    fn expire_options<K: ToArg<'a>>(key: K, seconds: i64, condition: ExpireCondition) => Cmd::new("EXPIRE").arg(key).arg(seconds).arg(condition);
    /// `PEXPIRE key milliseconds`.
    fn pexpire<K: ToArg<'a>>(key: K, millis: i64) => Cmd::new("PEXPIRE").arg(key).arg(millis);
    /// `PEXPIRE key milliseconds NX|XX|GT|LT`.
    fn pexpire_options<K: ToArg<'a>>(key: K, millis: i64, condition: ExpireCondition) => Cmd::new("PEXPIRE").arg(key).arg(millis).arg(condition);
    /// `EXPIREAT key unix-seconds`.
    fn expire_at<K: ToArg<'a>>(key: K, at: i64) => Cmd::new("EXPIREAT").arg(key).arg(at);
    /// `EXPIREAT key unix-seconds NX|XX|GT|LT`.
    fn expire_at_options<K: ToArg<'a>>(key: K, at: i64, condition: ExpireCondition) => Cmd::new("EXPIREAT").arg(key).arg(at).arg(condition);
    /// `PEXPIREAT key unix-milliseconds`.
    fn pexpire_at<K: ToArg<'a>>(key: K, at: i64) => Cmd::new("PEXPIREAT").arg(key).arg(at);
    /// `PEXPIREAT key unix-milliseconds NX|XX|GT|LT`.
    fn pexpire_at_options<K: ToArg<'a>>(key: K, at: i64, condition: ExpireCondition) => Cmd::new("PEXPIREAT").arg(key).arg(at).arg(condition);
    /// `EXPIRETIME key`: unix seconds, -1 without expiry, -2 if missing.
    fn expire_time<K: ToArg<'a>>(key: K) => Cmd::new("EXPIRETIME").arg(key);
    /// `PEXPIRETIME key`: unix milliseconds, -1 without expiry, -2 if
    /// missing.
    fn pexpire_time<K: ToArg<'a>>(key: K) => Cmd::new("PEXPIRETIME").arg(key);
    /// `TTL key`: seconds left, -1 without expiry, -2 if missing.
    fn ttl<K: ToArg<'a>>(key: K) => Cmd::new("TTL").arg(key);
    /// `PTTL key`: milliseconds left.
    fn pttl<K: ToArg<'a>>(key: K) => Cmd::new("PTTL").arg(key);
    /// `PERSIST key`: true if an expiry was removed.
    fn persist<K: ToArg<'a>>(key: K) => Cmd::new("PERSIST").arg(key);
    /// `RENAME key newkey`.
    fn rename<K: ToArg<'a>, N: ToArg<'a>>(key: K, new_key: N) => Cmd::new("RENAME").arg(key).arg(new_key);
    /// `RENAMENX key newkey`: true if renamed.
    fn rename_nx<K: ToArg<'a>, N: ToArg<'a>>(key: K, new_key: N) => Cmd::new("RENAMENX").arg(key).arg(new_key);
    /// `COPY source destination`: true if copied.
    fn copy<K: ToArg<'a>, D: ToArg<'a>>(source: K, destination: D) => Cmd::new("COPY").arg(source).arg(destination);
    /// `COPY source destination [DB n] [REPLACE]`: true if copied.
    fn copy_options<K: ToArg<'a>, D: ToArg<'a>>(source: K, destination: D, options: CopyOptions) => Cmd::new("COPY").arg(source).arg(destination).arg(options);
    /// `MOVE key db`: true if moved to database `db` (false when the key
    /// is missing here or exists there).
    fn move_key<K: ToArg<'a>>(key: K, db: u32) => Cmd::new("MOVE").arg(key).arg(db);
    /// `KEYS pattern`: blocks the server on large databases; prefer SCAN.
    fn keys<P: ToArg<'a>>(pattern: P) => Cmd::new("KEYS").arg(pattern);
    /// `RANDOMKEY`.
    fn random_key() => Cmd::new("RANDOMKEY");
    /// `TOUCH key...`: how many exist.
    fn touch<K: ToArgs<'a>>(keys: K) => Cmd::new("TOUCH").arg(keys);
    /// `DUMP key`: the serialized value.
    fn dump<K: ToArg<'a>>(key: K) => Cmd::new("DUMP").arg(key);
    /// `RESTORE key ttl serialized`.
    fn restore<K: ToArg<'a>, V: ToArg<'a>>(key: K, ttl_millis: u64, serialized: V) => Cmd::new("RESTORE").arg(key).arg(ttl_millis).arg(serialized);
    /// `RESTORE key ttl serialized [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]`.
    fn restore_options<K: ToArg<'a>, V: ToArg<'a>>(key: K, ttl_millis: u64, serialized: V, options: RestoreOptions) => Cmd::new("RESTORE").arg(key).arg(ttl_millis).arg(serialized).arg(options);
    /// `SORT key [BY ...] [LIMIT ...] [GET ...] [DESC] [ALPHA]`: the sorted
    /// elements (or, with `GET`, the values fetched for them).
    fn sort<K: ToArg<'a>>(key: K, options: SortOptions) => Cmd::new("SORT").arg(key).arg(options);
    /// `SORT_RO key ...`: `SORT` without `STORE`, which replicas run.
    fn sort_ro<K: ToArg<'a>>(key: K, options: SortOptions) => Cmd::new("SORT_RO").arg(key).arg(options);
    /// `SORT key ... STORE destination`: the number of elements stored.
    fn sort_store<K: ToArg<'a>, D: ToArg<'a>>(key: K, options: SortOptions, destination: D) => Cmd::new("SORT").arg(key).arg(options).arg("STORE").arg(destination);
    /// `OBJECT ENCODING key`: the internal encoding (`listpack`, ...), or
    /// `None` for a missing key.
    fn object_encoding<K: ToArg<'a>>(key: K): Option<String> => Cmd::new("OBJECT").arg("ENCODING").arg(key);
    /// `OBJECT FREQ key`: the LFU counter (an error unless the eviction
    /// policy is an LFU one), `None` for a missing key.
    fn object_freq<K: ToArg<'a>>(key: K): Option<u64> => Cmd::new("OBJECT").arg("FREQ").arg(key);
    /// `OBJECT IDLETIME key`: seconds since last access (an error under an
    /// LFU policy), `None` for a missing key.
    fn object_idletime<K: ToArg<'a>>(key: K): Option<u64> => Cmd::new("OBJECT").arg("IDLETIME").arg(key);
    /// `OBJECT REFCOUNT key`: references to the value, `None` for a
    /// missing key.
    fn object_refcount<K: ToArg<'a>>(key: K): Option<u64> => Cmd::new("OBJECT").arg("REFCOUNT").arg(key);
    /// `MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH ...]`:
    /// `"OK"`, or `"NOKEY"` when the key is missing.
    fn migrate<H: ToArg<'a>, K: ToArg<'a>>(host: H, port: u16, key: K, db: u32, timeout_millis: u64, options: MigrateOptions): String => Cmd::new("MIGRATE").arg(host).arg(port).arg(key).arg(db).arg(timeout_millis).arg(options);
    /// `MIGRATE host port "" db timeout [options] KEYS key...`: several
    /// keys at once.
    fn migrate_keys<H: ToArg<'a>, K: ToArgs<'a>>(host: H, port: u16, keys: K, db: u32, timeout_millis: u64, options: MigrateOptions): String => Cmd::new("MIGRATE").arg(host).arg(port).arg("").arg(db).arg(timeout_millis).arg(options).arg("KEYS").arg(keys);
}
