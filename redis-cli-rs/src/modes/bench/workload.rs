//! What each request sends: commands with placeholders (`__rand_int__`,
//! `__key__`, `__data__`), encoded once and patched per request, and mixes
//! of several commands in fixed proportions.
//!
//! Everything here is pure: a [`Generator`] (seeded randomness, the key
//! picker, the mix's position) is passed in, and requests are appended to
//! the caller's buffer.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use super::keys::{KeyGen, KeySpace};

const RAND_INT: &[u8] = b"__rand_int__";
const KEY: &[u8] = b"__key__";
const DATA: &[u8] = b"__data__";

/// Width of a substituted number: 12 digits, zero-padded, as
/// redis-benchmark writes `__rand_int__`.
const DIGITS: usize = 12;

/// A piece of a command argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// Bytes as they are.
    Lit(Vec<u8>),
    /// `__rand_int__`: a key number, when `-r` or a key option is given;
    /// the text itself otherwise (redis-benchmark's rule).
    RandInt,
    /// `__key__`: a key number, always.
    Key,
    /// `__data__`: the value (`-d` bytes, or a size from
    /// `--data-size-range`).
    Data,
}

/// Splits an argument at its placeholders.
pub(crate) fn parts(arg: &[u8]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    while i < arg.len() {
        let rest = &arg[i..];
        let found = [
            (RAND_INT, Part::RandInt),
            (KEY, Part::Key),
            (DATA, Part::Data),
        ]
        .into_iter()
        .find(|(marker, _)| rest.starts_with(marker));
        match found {
            Some((marker, part)) => {
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(part);
                i += marker.len();
            }
            None => {
                lit.push(arg[i]);
                i += 1;
            }
        }
    }
    if !lit.is_empty() || parts.is_empty() {
        parts.push(Part::Lit(lit));
    }
    parts
}

/// The values SET and friends send: redis-benchmark's bytes
/// (`genBenchmarkRandomData`), `min..=max` of them per request.
#[derive(Debug, Clone)]
pub(crate) struct Values {
    data: Vec<u8>,
    min: usize,
    max: usize,
}

impl Values {
    /// Values of `min..=max` bytes (`min == max` for `-d`).
    pub(crate) fn new(min: usize, max: usize) -> Values {
        let mut data = Vec::with_capacity(max);
        let mut state: u32 = 1234;
        for _ in 0..max {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            data.push(b'0' + ((state >> 16) & 63) as u8);
        }
        Values { data, min, max }
    }

    fn fixed(&self) -> bool {
        self.min == self.max
    }
}

#[derive(Debug, Clone, Copy)]
enum Digits {
    RandInt,
    Key,
}

#[derive(Debug, Clone)]
enum Form {
    /// Bytes sent as they are, with key numbers written at offsets.
    Fixed {
        bytes: Vec<u8>,
        digits: Vec<(usize, Digits)>,
    },
    /// Built per request (values of varying size).
    Dynamic { args: Vec<Vec<Part>> },
}

/// One command of a workload.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    kind: usize,
    form: Form,
}

impl Template {
    /// A command counted as `kind`; `rand_int` says whether
    /// `__rand_int__` is substituted.
    pub(crate) fn command(
        kind: usize,
        args: &[Vec<Part>],
        values: &Values,
        rand_int: bool,
    ) -> Template {
        let args: Vec<Vec<Part>> = args
            .iter()
            .map(|arg| {
                arg.iter()
                    .map(|p| match p {
                        Part::RandInt if !rand_int => Part::Lit(RAND_INT.to_vec()),
                        p => p.clone(),
                    })
                    .collect()
            })
            .collect();
        let has_data = args.iter().flatten().any(|p| *p == Part::Data);
        if has_data && !values.fixed() {
            return Template {
                kind,
                form: Form::Dynamic { args },
            };
        }
        let mut bytes = Vec::new();
        let mut digits = Vec::new();
        header(&mut bytes, b'*', args.len());
        for arg in &args {
            let len: usize = arg.iter().map(|p| part_len(p, values.min)).sum();
            header(&mut bytes, b'$', len);
            for p in arg {
                match p {
                    Part::Lit(l) => bytes.extend_from_slice(l),
                    Part::RandInt | Part::Key => {
                        let d = if *p == Part::Key {
                            Digits::Key
                        } else {
                            Digits::RandInt
                        };
                        digits.push((bytes.len(), d));
                        bytes.extend_from_slice(&[b'0'; DIGITS]);
                    }
                    Part::Data => bytes.extend_from_slice(&values.data[..values.min]),
                }
            }
            bytes.extend_from_slice(b"\r\n");
        }
        Template {
            kind,
            form: Form::Fixed { bytes, digits },
        }
    }

    /// An inline command (`PING\r\n`), sent as it is.
    pub(crate) fn inline(kind: usize, line: &[u8]) -> Template {
        Template {
            kind,
            form: Form::Fixed {
                bytes: line.to_vec(),
                digits: Vec::new(),
            },
        }
    }

    /// The encoded size with the smallest values (redis-benchmark's
    /// "bytes payload" of a command line).
    pub(crate) fn encoded_len(&self, values: &Values) -> usize {
        match &self.form {
            Form::Fixed { bytes, .. } => bytes.len(),
            Form::Dynamic { args } => {
                let mut out = Vec::new();
                header(&mut out, b'*', args.len());
                let body: usize = args
                    .iter()
                    .map(|arg| {
                        let len: usize = arg.iter().map(|p| part_len(p, values.min)).sum();
                        let mut h = Vec::new();
                        header(&mut h, b'$', len);
                        h.len() + len + 2
                    })
                    .sum();
                out.len() + body
            }
        }
    }
}

fn part_len(p: &Part, data: usize) -> usize {
    match p {
        Part::Lit(l) => l.len(),
        Part::RandInt | Part::Key => DIGITS,
        Part::Data => data,
    }
}

/// Appends `*<n>\r\n` or `$<n>\r\n`.
fn header(out: &mut Vec<u8>, kind: u8, n: usize) {
    out.push(kind);
    decimal(out, n as u64);
    out.extend_from_slice(b"\r\n");
}

fn decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Writes the low 12 decimal digits of `n`, zero-padded, as
/// redis-benchmark's `randomizeClientKey`.
fn write_digits(slot: &mut [u8], mut n: u64) {
    for b in slot.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// A connection's randomness and position: its seeded generator, its key
/// picker, and where it is in the mix.
pub(crate) struct Generator {
    rng: SmallRng,
    keys: KeyGen,
    credit: Vec<i64>,
}

impl Generator {
    /// The generator of connection `index` of `count`, for `workload`.
    pub(crate) fn new(workload: &Workload, seed: u64, index: usize, count: usize) -> Generator {
        let seed = seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Generator {
            rng: SmallRng::seed_from_u64(seed),
            keys: KeyGen::new(&workload.keys, index, count),
            credit: vec![0; workload.entries.len()],
        }
    }

    /// Smooth weighted round robin: each command gets exactly its share of
    /// every cycle of `sum(weights)` picks, spread out.
    fn pick(&mut self, weights: &[u32], total: i64) -> usize {
        for (credit, &w) in self.credit.iter_mut().zip(weights) {
            *credit += i64::from(w);
        }
        // The largest credit wins (the first on ties).
        let mut top = 0;
        for i in 1..self.credit.len() {
            if self.credit[i] > self.credit[top] {
                top = i;
            }
        }
        self.credit[top] -= total;
        top
    }
}

/// The commands of one test and how they are mixed.
#[derive(Debug, Clone)]
pub(crate) struct Workload {
    /// The test's title (redis-benchmark's test name, or the command line).
    pub title: String,
    /// The names results are reported under, indexed by a template's kind.
    pub kinds: Vec<String>,
    /// What "bytes payload" says.
    pub payload: usize,
    /// The key range and pattern.
    pub keys: KeySpace,
    entries: Vec<Template>,
    weights: Vec<u32>,
    total_weight: i64,
    values: Values,
}

impl Workload {
    /// A workload of `entries` with their weights (all positive).
    pub(crate) fn new(
        title: String,
        kinds: Vec<String>,
        entries: Vec<(Template, u32)>,
        values: Values,
        keys: KeySpace,
        payload: usize,
    ) -> Workload {
        let weights: Vec<u32> = entries.iter().map(|(_, w)| *w).collect();
        Workload {
            title,
            kinds,
            payload,
            keys,
            total_weight: weights.iter().map(|&w| i64::from(w)).sum(),
            entries: entries.into_iter().map(|(t, _)| t).collect(),
            weights,
            values,
        }
    }

    /// Appends the next request to `out` and returns its kind.
    pub(crate) fn encode(&self, gen: &mut Generator, out: &mut Vec<u8>) -> usize {
        let template = if self.entries.len() == 1 {
            &self.entries[0]
        } else {
            &self.entries[gen.pick(&self.weights, self.total_weight)]
        };
        match &template.form {
            Form::Fixed { bytes, digits } => {
                let base = out.len();
                out.extend_from_slice(bytes);
                for &(offset, _) in digits {
                    let n = gen.keys.next(&mut gen.rng);
                    write_digits(&mut out[base + offset..base + offset + DIGITS], n);
                }
            }
            Form::Dynamic { args } => {
                header(out, b'*', args.len());
                for arg in args {
                    // The length header comes before the bytes: one value
                    // size per argument, drawn first.
                    let size = if arg.contains(&Part::Data) {
                        self.value_size(gen)
                    } else {
                        0
                    };
                    let len: usize = arg.iter().map(|p| part_len(p, size)).sum();
                    header(out, b'$', len);
                    for p in arg {
                        match p {
                            Part::Lit(l) => out.extend_from_slice(l),
                            Part::RandInt | Part::Key => {
                                let n = gen.keys.next(&mut gen.rng);
                                let at = out.len();
                                out.extend_from_slice(&[b'0'; DIGITS]);
                                write_digits(&mut out[at..], n);
                            }
                            Part::Data => out.extend_from_slice(&self.values.data[..size]),
                        }
                    }
                    out.extend_from_slice(b"\r\n");
                }
            }
        }
        template.kind
    }

    fn value_size(&self, gen: &mut Generator) -> usize {
        gen.rng.random_range(self.values.min..=self.values.max)
    }
}

/// One test of redis-benchmark's default set.
pub(crate) struct DefaultTest {
    /// The title printed (and the name `-t` matches, lower-cased).
    pub title: &'static str,
    /// The `-t` names that select it.
    pub selectors: &'static [&'static str],
    /// The command (`None`: `PING` inline).
    pub args: Option<Vec<Vec<Part>>>,
}

/// redis-benchmark 7.0's default tests, in its order; `random` says
/// whether `-r` was given (ZADD's score is then random too).
pub(crate) fn default_tests(random: bool) -> Vec<DefaultTest> {
    let lit = |s: &str| parts(s.as_bytes());
    let cmd = |words: &[&str]| -> Option<Vec<Vec<Part>>> {
        Some(
            words
                .iter()
                .map(|w| {
                    if *w == "DATA" {
                        vec![Part::Data]
                    } else {
                        lit(w)
                    }
                })
                .collect(),
        )
    };
    let lrange = &[
        "lrange",
        "lrange_100",
        "lrange_300",
        "lrange_500",
        "lrange_600",
    ];
    let mut mset = vec!["MSET"];
    for _ in 0..10 {
        mset.extend(["key:__rand_int__", "DATA"]);
    }
    let score = if random { "__rand_int__" } else { "0" };
    vec![
        DefaultTest {
            title: "PING_INLINE",
            selectors: &["ping_inline", "ping"],
            args: None,
        },
        DefaultTest {
            title: "PING_MBULK",
            selectors: &["ping_mbulk", "ping"],
            args: cmd(&["PING"]),
        },
        DefaultTest {
            title: "SET",
            selectors: &["set"],
            args: cmd(&["SET", "key:__rand_int__", "DATA"]),
        },
        DefaultTest {
            title: "GET",
            selectors: &["get"],
            args: cmd(&["GET", "key:__rand_int__"]),
        },
        DefaultTest {
            title: "INCR",
            selectors: &["incr"],
            args: cmd(&["INCR", "counter:__rand_int__"]),
        },
        DefaultTest {
            title: "LPUSH",
            selectors: &["lpush"],
            args: cmd(&["LPUSH", "mylist", "DATA"]),
        },
        DefaultTest {
            title: "RPUSH",
            selectors: &["rpush"],
            args: cmd(&["RPUSH", "mylist", "DATA"]),
        },
        DefaultTest {
            title: "LPOP",
            selectors: &["lpop"],
            args: cmd(&["LPOP", "mylist"]),
        },
        DefaultTest {
            title: "RPOP",
            selectors: &["rpop"],
            args: cmd(&["RPOP", "mylist"]),
        },
        DefaultTest {
            title: "SADD",
            selectors: &["sadd"],
            args: cmd(&["SADD", "myset", "element:__rand_int__"]),
        },
        DefaultTest {
            title: "HSET",
            selectors: &["hset"],
            args: cmd(&["HSET", "myhash", "element:__rand_int__", "DATA"]),
        },
        DefaultTest {
            title: "SPOP",
            selectors: &["spop"],
            args: cmd(&["SPOP", "myset"]),
        },
        DefaultTest {
            title: "ZADD",
            selectors: &["zadd"],
            args: cmd(&["ZADD", "myzset", score, "element:__rand_int__"]),
        },
        DefaultTest {
            title: "ZPOPMIN",
            selectors: &["zpopmin"],
            args: cmd(&["ZPOPMIN", "myzset"]),
        },
        DefaultTest {
            title: "LPUSH (needed to benchmark LRANGE)",
            selectors: lrange,
            args: cmd(&["LPUSH", "mylist", "DATA"]),
        },
        DefaultTest {
            title: "LRANGE_100 (first 100 elements)",
            selectors: &["lrange", "lrange_100"],
            args: cmd(&["LRANGE", "mylist", "0", "99"]),
        },
        DefaultTest {
            title: "LRANGE_300 (first 300 elements)",
            selectors: &["lrange", "lrange_300"],
            args: cmd(&["LRANGE", "mylist", "0", "299"]),
        },
        DefaultTest {
            title: "LRANGE_500 (first 500 elements)",
            selectors: &["lrange", "lrange_500"],
            args: cmd(&["LRANGE", "mylist", "0", "499"]),
        },
        DefaultTest {
            title: "LRANGE_600 (first 600 elements)",
            selectors: &["lrange", "lrange_600"],
            args: cmd(&["LRANGE", "mylist", "0", "599"]),
        },
        DefaultTest {
            title: "MSET (10 keys)",
            selectors: &["mset"],
            args: cmd(&mset),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modes::bench::keys::KeyPattern;

    fn keys() -> KeySpace {
        KeySpace {
            pattern: KeyPattern::Sequential,
            min: 0,
            max: 999,
            stddev: None,
            median: None,
            zipf_exp: 1.0,
        }
    }

    fn words(args: &[&str]) -> Vec<Vec<Part>> {
        args.iter().map(|a| parts(a.as_bytes())).collect()
    }

    #[test]
    fn the_values_are_redis_benchmarks() {
        // redis-benchmark -d 5 sends "VXKeH".
        assert_eq!(Values::new(5, 5).data, b"VXKeH");
    }

    #[test]
    fn placeholders_are_split_out() {
        assert_eq!(
            parts(b"a:__rand_int__:__key____data__"),
            [
                Part::Lit(b"a:".to_vec()),
                Part::RandInt,
                Part::Lit(b":".to_vec()),
                Part::Key,
                Part::Data
            ]
        );
        assert_eq!(parts(b""), [Part::Lit(Vec::new())]);
    }

    #[test]
    fn fixed_templates_are_patched() {
        let values = Values::new(3, 3);
        let t = Template::command(
            0,
            &words(&["SET", "k:__rand_int__", "__data__"]),
            &values,
            true,
        );
        let w = Workload::new(
            "SET".into(),
            vec!["SET".into()],
            vec![(t, 1)],
            values,
            keys(),
            0,
        );
        let mut gen = Generator::new(&w, 1, 0, 1);
        let mut out = Vec::new();
        w.encode(&mut gen, &mut out);
        w.encode(&mut gen, &mut out);
        assert_eq!(
            out,
            b"*3\r\n$3\r\nSET\r\n$14\r\nk:000000000000\r\n$3\r\nVXK\r\n*3\r\n$3\r\nSET\r\n$14\r\nk:000000000001\r\n$3\r\nVXK\r\n"
        );
        // Without -r, __rand_int__ stays as it is.
        let values = Values::new(3, 3);
        let t = Template::command(0, &words(&["GET", "k:__rand_int__"]), &values, false);
        assert!(matches!(&t.form, Form::Fixed { digits, .. } if digits.is_empty()));
        assert_eq!(t.encoded_len(&values), 34);
    }

    #[test]
    fn value_ranges_and_mixes() {
        let values = Values::new(2, 6);
        let set = Template::command(0, &words(&["SET", "__key__", "__data__"]), &values, true);
        let get = Template::command(1, &words(&["GET", "__key__"]), &values, true);
        let w = Workload::new(
            "mix".into(),
            vec!["SET".into(), "GET".into()],
            vec![(set, 1), (get, 3)],
            values,
            keys(),
            0,
        );
        let mut gen = Generator::new(&w, 9, 0, 1);
        let mut counts = [0usize; 2];
        let mut sizes = std::collections::BTreeSet::new();
        for _ in 0..400 {
            let mut out = Vec::new();
            let kind = w.encode(&mut gen, &mut out);
            counts[kind] += 1;
            let text = String::from_utf8(out).unwrap();
            if kind == 0 {
                let value = text.split("\r\n").nth(6).unwrap().to_string();
                assert!(text.ends_with(&format!("${}\r\n{value}\r\n", value.len())));
                sizes.insert(value.len());
            } else {
                assert!(text.starts_with("*2\r\n$3\r\nGET\r\n$12\r\n"));
            }
        }
        assert_eq!(counts, [100, 300], "exact shares");
        assert_eq!(sizes.into_iter().collect::<Vec<_>>(), [2, 3, 4, 5, 6]);
    }

    #[test]
    fn the_default_set_is_redis_benchmarks() {
        let titles: Vec<&str> = default_tests(false).iter().map(|t| t.title).collect();
        assert_eq!(titles.len(), 20);
        assert_eq!(titles[0], "PING_INLINE");
        assert_eq!(titles[19], "MSET (10 keys)");
    }
}
