//! The order in which `redis-cli` walks its hash tables (Redis's `dict`,
//! SipHash-1-2 with the all-zero seed `redis-cli` never changes), so that
//! lists it prints from one (the open slots of `--cluster check`, the
//! order `fix` covers slots in) come out in the same order here.
//!
//! The table is emulated, not used: keys go in as `dictAdd` /
//! `dictReplace` put them (with the incremental rehashing each insertion
//! advances), and [`order`] reads them back as `dictNext` would.

/// SipHash with `c` compression and `d` finalization rounds, as Redis's
/// `siphash.c` (1 and 2 in Redis).
fn siphash(input: &[u8], key: &[u8; 16], c: usize, d: usize) -> u64 {
    let k0 = u64::from_le_bytes(key[..8].try_into().expect("8 bytes"));
    let k1 = u64::from_le_bytes(key[8..].try_into().expect("8 bytes"));
    let mut v = [
        0x736f_6d65_7073_6575 ^ k0,
        0x646f_7261_6e64_6f6d ^ k1,
        0x6c79_6765_6e65_7261 ^ k0,
        0x7465_6462_7974_6573 ^ k1,
    ];
    let round = |v: &mut [u64; 4]| {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13);
        v[1] ^= v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16);
        v[3] ^= v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21);
        v[3] ^= v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17);
        v[1] ^= v[2];
        v[2] = v[2].rotate_left(32);
    };
    let mut chunks = input.chunks_exact(8);
    for chunk in &mut chunks {
        let m = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        v[3] ^= m;
        for _ in 0..c {
            round(&mut v);
        }
        v[0] ^= m;
    }
    let mut b = (input.len() as u64) << 56;
    for (i, &byte) in chunks.remainder().iter().enumerate() {
        b |= u64::from(byte) << (8 * i);
    }
    v[3] ^= b;
    for _ in 0..c {
        round(&mut v);
    }
    v[0] ^= b;
    v[2] ^= 0xff;
    for _ in 0..d {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// `dictGenHashFunction` as `redis-cli` runs it.
fn hash(key: &[u8]) -> u64 {
    siphash(key, &[0; 16], 1, 2)
}

/// One hash table: buckets of key numbers, each list's head first.
#[derive(Default)]
struct Table {
    buckets: Vec<Vec<usize>>,
    used: usize,
}

impl Table {
    fn mask(&self) -> u64 {
        self.buckets.len().saturating_sub(1) as u64
    }
}

/// A `dict` holding key numbers (their bytes in `keys`).
struct Dict<'k> {
    keys: &'k [Vec<u8>],
    t: [Table; 2],
    rehash_index: Option<usize>,
}

impl Dict<'_> {
    fn rehash_step(&mut self) {
        let Some(mut idx) = self.rehash_index else {
            return;
        };
        let mut empty_visits = 10;
        if self.t[0].used != 0 {
            while self.t[0].buckets[idx].is_empty() {
                idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    self.rehash_index = Some(idx);
                    return;
                }
            }
            let moving = std::mem::take(&mut self.t[0].buckets[idx]);
            for key in moving {
                let h = (hash(&self.keys[key]) & self.t[1].mask()) as usize;
                self.t[1].buckets[h].insert(0, key);
                self.t[0].used -= 1;
                self.t[1].used += 1;
            }
            idx += 1;
        }
        self.rehash_index = Some(idx);
        if self.t[0].used == 0 {
            self.t[0] = std::mem::take(&mut self.t[1]);
            self.rehash_index = None;
        }
    }

    fn expand(&mut self, size: usize) {
        if self.rehash_index.is_some() || self.t[0].used > size {
            return;
        }
        let new_size = size.max(4).next_power_of_two();
        if new_size == self.t[0].buckets.len() {
            return;
        }
        let table = Table {
            buckets: vec![Vec::new(); new_size],
            used: 0,
        };
        if self.t[0].buckets.is_empty() {
            self.t[0] = table;
        } else {
            self.t[1] = table;
            self.rehash_index = Some(0);
        }
    }

    /// `dictAddRaw` (or `dictReplace` of a key already in).
    fn add(&mut self, key: usize) {
        if self.rehash_index.is_some() {
            self.rehash_step();
        }
        if self.rehash_index.is_none() {
            if self.t[0].buckets.is_empty() {
                self.expand(4);
            } else if self.t[0].used >= self.t[0].buckets.len() {
                self.expand(self.t[0].used + 1);
            }
        }
        let h = hash(&self.keys[key]);
        let mut idx = 0;
        let tables = if self.rehash_index.is_some() { 2 } else { 1 };
        for table in 0..tables {
            idx = (h & self.t[table].mask()) as usize;
            if self.t[table].buckets[idx]
                .iter()
                .any(|&k| self.keys[k] == self.keys[key])
            {
                return;
            }
        }
        let table = if self.rehash_index.is_some() { 1 } else { 0 };
        self.t[table].buckets[idx].insert(0, key);
        self.t[table].used += 1;
    }
}

/// The keys added (or replaced) in this order, walked as `redis-cli`
/// walks its `dict`: indexes into the input, each distinct key once (its
/// first occurrence).
pub(crate) fn order<K: AsRef<[u8]>>(keys: impl IntoIterator<Item = K>) -> Vec<usize> {
    let keys: Vec<Vec<u8>> = keys.into_iter().map(|k| k.as_ref().to_vec()).collect();
    let mut dict = Dict {
        keys: &keys,
        t: [Table::default(), Table::default()],
        rehash_index: None,
    };
    for key in 0..keys.len() {
        dict.add(key);
    }
    let mut walked = Vec::new();
    for table in &dict.t {
        for bucket in &table.buckets {
            walked.extend(bucket.iter().copied());
        }
    }
    walked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SipHash-2-4 reference vectors (key 00..0f, input 00..len-1),
    /// as in Redis's `siphash.c`: the same code with 1-2 rounds is
    /// Redis's hash.
    #[test]
    fn siphash_reference_vectors() {
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        let input: Vec<u8> = (0..64).collect();
        let expect: [(usize, [u8; 8]); 4] = [
            (0, [0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72]),
            (1, [0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74]),
            (8, [0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93]),
            (63, [0x72, 0x45, 0x06, 0xeb, 0x4c, 0x32, 0x8a, 0x95]),
        ];
        for (len, bytes) in expect {
            assert_eq!(
                siphash(&input[..len], &key, 2, 4),
                u64::from_le_bytes(bytes),
                "length {len}"
            );
        }
    }

    /// Orders `redis-cli --cluster check` and `fix` printed against
    /// redis-server 7.0.15 (slots 1, 2, 3, 100, 2000 migrating on one
    /// node and importing on another; slots 5, 6, 7, 1000 uncovered).
    #[test]
    fn the_orders_redis_cli_printed() {
        let open = ["1", "2", "3", "100", "2000", "1", "2", "3", "100", "2000"];
        let walked: Vec<&str> = order(open).into_iter().map(|i| open[i]).collect();
        assert_eq!(walked, ["2000", "100", "3", "1", "2"]);
        let uncovered = ["5", "6", "7", "1000"];
        let walked: Vec<&str> = order(uncovered).into_iter().map(|i| uncovered[i]).collect();
        assert_eq!(walked, ["7", "1000", "6", "5"]);
    }

    #[test]
    fn every_key_once_whatever_the_growth() {
        let keys: Vec<String> = (0..300).map(|i| (i * 7 % 100).to_string()).collect();
        let walked = order(keys.iter());
        let mut distinct: Vec<&String> = walked.iter().map(|&i| &keys[i]).collect();
        assert_eq!(distinct.len(), 100);
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 100);
        // A single key is its own order.
        assert_eq!(order(["5461"]), [0]);
    }
}
