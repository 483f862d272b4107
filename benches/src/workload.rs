//! Deterministic reply streams: a seeded PRNG picks reply kinds in fixed
//! proportions, so every run decodes the same bytes.

/// SplitMix64: small, fast and good enough to pick workload shapes.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose whole sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi` (the tiny modulo bias does not matter here).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// The seed of both workloads.
pub const SEED: u64 = 0x2E5B_5EED;

/// The target size of each stream: a few MB, past the caches of a small
/// machine but far from its memory.
pub const TARGET_BYTES: usize = 4 << 20;

/// A reply stream and what is in it.
#[derive(Debug, Clone)]
pub struct Stream {
    /// The bytes, many replies back to back.
    pub bytes: Vec<u8>,
    /// The number of top-level replies.
    pub replies: usize,
    /// Replies of each kind, in the order of the workload's kind table.
    pub mix: Vec<(&'static str, usize)>,
}

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789:_-ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn text(out: &mut Vec<u8>, rng: &mut Rng, len: usize) {
    for _ in 0..len {
        out.push(ALPHABET[rng.range(0, ALPHABET.len() as u64 - 1) as usize]);
    }
}

fn bulk_with(out: &mut Vec<u8>, payload: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(payload);
    out.extend_from_slice(b"\r\n");
}

/// A bulk string of 1 to 100 random characters.
fn bulk(out: &mut Vec<u8>, rng: &mut Rng) {
    let len = rng.range(1, 100) as usize;
    let mut payload = Vec::with_capacity(len);
    text(&mut payload, rng, len);
    bulk_with(out, &payload);
}

/// A bulk string that starts with `prefix` and index `i` (so siblings are
/// distinct, as map keys and set members are) and ends with 0 to 40 random
/// characters.
fn distinct_bulk(out: &mut Vec<u8>, rng: &mut Rng, prefix: &str, i: usize) {
    let mut payload = format!("{prefix}{i}:").into_bytes();
    let extra = rng.range(0, 40) as usize;
    text(&mut payload, rng, extra);
    bulk_with(out, &payload);
}

fn header(out: &mut Vec<u8>, ty: u8, n: usize) {
    out.push(ty);
    out.extend_from_slice(n.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// An integer such as counters, lengths and timestamps give.
fn integer(out: &mut Vec<u8>, rng: &mut Rng) {
    let v: i64 = match rng.range(0, 9) {
        0..=5 => rng.range(0, 100) as i64,
        6..=7 => rng.range(0, 1_000_000) as i64,
        8 => rng.range(1_600_000_000_000, 1_800_000_000_000) as i64,
        _ => -(rng.range(1, 1000) as i64),
    };
    out.push(b':');
    out.extend_from_slice(v.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// A double as ZSCORE or INCRBYFLOAT give it.
fn double(out: &mut Vec<u8>, rng: &mut Rng) {
    let s = match rng.range(0, 3) {
        0 => rng.range(0, 1000).to_string(),
        1 => format!("-{}.{}", rng.range(0, 99), rng.range(1, 99)),
        _ => format!("{}.{:05}", rng.range(0, 100_000), rng.range(1, 99_999)),
    };
    out.push(b',');
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// A kind of reply: its name, its weight and what writes one.
type Kind = (&'static str, u64, fn(&mut Vec<u8>, &mut Rng));

/// Draws reply kinds from `kinds` until the stream is at least `target`
/// bytes long.
fn generate(seed: u64, target: usize, kinds: &[Kind]) -> Stream {
    let mut rng = Rng::new(seed);
    let total: u64 = kinds.iter().map(|k| k.1).sum();
    let mut bytes = Vec::with_capacity(target + 4096);
    let mut mix: Vec<(&'static str, usize)> = kinds.iter().map(|k| (k.0, 0)).collect();
    let mut replies = 0;
    while bytes.len() < target {
        let mut pick = rng.range(0, total - 1);
        let i = kinds
            .iter()
            .position(|k| {
                if pick < k.1 {
                    true
                } else {
                    pick -= k.1;
                    false
                }
            })
            .expect("weights cover the range");
        (kinds[i].2)(&mut bytes, &mut rng);
        mix[i].1 += 1;
        replies += 1;
    }
    Stream {
        bytes,
        replies,
        mix,
    }
}

/// The RESP2 workload: what a cache-like application reads back.
///
/// | kind | share | like |
/// |---|---|---|
/// | bulk string, 1-100 bytes | 28% | GET hit |
/// | null bulk `$-1` | 4% | GET miss |
/// | integer | 20% | INCR, DEL, EXISTS |
/// | `+OK` | 20% | SET |
/// | array of 10 bulk strings | 16% | MGET, LRANGE |
/// | nested arrays | 12% | SCAN `[cursor, [10 keys]]`; XRANGE `[[id, [f, v, f, v]] x 1-5]` |
pub fn resp2(seed: u64, target: usize) -> Stream {
    generate(
        seed,
        target,
        &[
            ("bulk string 1-100 B", 28, bulk),
            ("null bulk", 4, |out, _| out.extend_from_slice(b"$-1\r\n")),
            ("integer", 20, integer),
            ("+OK", 20, |out, _| out.extend_from_slice(b"+OK\r\n")),
            ("array of 10 bulk", 16, |out, rng| {
                header(out, b'*', 10);
                (0..10).for_each(|_| bulk(out, rng));
            }),
            ("nested arrays", 12, |out, rng| {
                if rng.range(0, 1) == 0 {
                    // SCAN: a cursor and a page of keys.
                    header(out, b'*', 2);
                    bulk_with(out, rng.range(0, 1 << 20).to_string().as_bytes());
                    header(out, b'*', 10);
                    (0..10).for_each(|i| distinct_bulk(out, rng, "key:", i));
                } else {
                    // XRANGE: entries of an id and a field-value array.
                    let n = rng.range(1, 5) as usize;
                    header(out, b'*', n);
                    for _ in 0..n {
                        header(out, b'*', 2);
                        let id = format!("{}-{}", rng.range(1 << 40, 1 << 41), rng.range(0, 9));
                        bulk_with(out, id.as_bytes());
                        header(out, b'*', 4);
                        (0..4).for_each(|_| bulk(out, rng));
                    }
                }
            }),
        ],
    )
}

/// The RESP3 workload: the same kind of traffic with RESP3's types.
///
/// | kind | share | like |
/// |---|---|---|
/// | bulk string, 1-100 bytes | 20% | GET hit |
/// | null `_` | 5% | GET miss |
/// | integer | 10% | INCR |
/// | `+OK` | 10% | SET |
/// | double | 10% | ZSCORE |
/// | boolean | 5% | SISMEMBER via RESP3 scripts |
/// | map of 1-10 pairs | 15% | HGETALL |
/// | set of 1-10 members | 10% | SMEMBERS |
/// | array of 10 bulk strings | 10% | MGET |
/// | array of `[member, double]` x 1-10 | 5% | ZRANGE WITHSCORES |
pub fn resp3(seed: u64, target: usize) -> Stream {
    generate(
        seed,
        target,
        &[
            ("bulk string 1-100 B", 20, bulk),
            ("null", 5, |out, _| out.extend_from_slice(b"_\r\n")),
            ("integer", 10, integer),
            ("+OK", 10, |out, _| out.extend_from_slice(b"+OK\r\n")),
            ("double", 10, double),
            ("boolean", 5, |out, rng| {
                let b: &[u8] = if rng.range(0, 1) == 0 {
                    b"#t\r\n"
                } else {
                    b"#f\r\n"
                };
                out.extend_from_slice(b)
            }),
            ("map of 1-10 pairs", 15, |out, rng| {
                let n = rng.range(1, 10) as usize;
                header(out, b'%', n);
                for i in 0..n {
                    distinct_bulk(out, rng, "field:", i);
                    bulk(out, rng);
                }
            }),
            ("set of 1-10", 10, |out, rng| {
                let n = rng.range(1, 10) as usize;
                header(out, b'~', n);
                (0..n).for_each(|i| distinct_bulk(out, rng, "member:", i));
            }),
            ("array of 10 bulk", 10, |out, rng| {
                header(out, b'*', 10);
                (0..10).for_each(|_| bulk(out, rng));
            }),
            ("nested [member, score] pairs", 5, |out, rng| {
                let n = rng.range(1, 10) as usize;
                header(out, b'*', n);
                for i in 0..n {
                    header(out, b'*', 2);
                    distinct_bulk(out, rng, "member:", i);
                    double(out, rng);
                }
            }),
        ],
    )
}
