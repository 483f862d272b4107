//! Redis Cluster hash slots: CRC16 (XMODEM) of a key, or of its hash tag,
//! modulo 16384.

/// The number of hash slots in a Redis Cluster.
pub const SLOTS: u16 = 16384;

/// The CRC16-XMODEM table (polynomial 0x1021), computed at compile time.
const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// Eight steps of [`TABLE`] at once: `TABLES[j][i]` is the CRC of byte
/// `i` followed by `j` zero bytes (CRC tables are linear, so a block's CRC
/// is the XOR of its bytes' entries, the running CRC folded into the
/// block's first two bytes). `TABLES[0]` is [`TABLE`].
const TABLES: [[u16; 256]; 8] = {
    let mut tables = [[0u16; 256]; 8];
    tables[0] = TABLE;
    let mut j = 1;
    while j < 8 {
        let mut i = 0;
        while i < 256 {
            let t = tables[j - 1][i];
            tables[j][i] = (t << 8) ^ TABLE[(t >> 8) as usize];
            i += 1;
        }
        j += 1;
    }
    tables
};

/// CRC16-XMODEM, eight bytes per step (a key is hashed for every command
/// of a cluster pipeline; a typical key is one or two steps).
fn crc16(data: &[u8]) -> u16 {
    let mut blocks = data.chunks_exact(8);
    let mut crc = 0u16;
    for block in &mut blocks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(block);
        let x = u64::from_be_bytes(bytes) ^ (u64::from(crc) << 48);
        let byte = |k: u32| usize::from((x >> (56 - 8 * k)) as u8);
        crc = TABLES[7][byte(0)]
            ^ TABLES[6][byte(1)]
            ^ TABLES[5][byte(2)]
            ^ TABLES[4][byte(3)]
            ^ TABLES[3][byte(4)]
            ^ TABLES[2][byte(5)]
            ^ TABLES[1][byte(6)]
            ^ TABLES[0][byte(7)];
    }
    blocks.remainder().iter().fold(crc, |crc, &b| {
        (crc << 8) ^ TABLE[usize::from((crc >> 8) as u8 ^ b)]
    })
}

/// The part of `key` that is hashed: the hash tag, the bytes between the
/// first `{` and the first `}` after it, when that is not empty; otherwise
/// the whole key.
///
/// ```
/// use resp_core::command::hash_tag;
///
/// assert_eq!(hash_tag(b"{user1000}.following"), b"user1000");
/// assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}"); // empty first tag: whole key
/// assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
/// assert_eq!(hash_tag(b"}{"), b"}{");
/// ```
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if !may_hold_brace(key) {
        return key;
    }
    if let Some(open) = memchr::memchr(b'{', key) {
        let rest = &key[open + 1..];
        if let Some(len) = memchr::memchr(b'}', rest) {
            if len > 0 {
                return &rest[..len];
            }
        }
    }
    key
}

/// False when a short key surely holds no `{` (most keys), found eight
/// bytes at a time: cheaper than setting up `memchr` for a key of a few
/// dozen bytes. True for a long key, left to `memchr`.
fn may_hold_brace(key: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const BRACES: u64 = u64::from_ne_bytes([b'{'; 8]);
    if key.len() > 64 {
        return true;
    }
    let mut words = key.chunks_exact(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        // A zero byte in `x` (a `{` in the word) sets its high bit here.
        let x = u64::from_ne_bytes(bytes) ^ BRACES;
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            return true;
        }
    }
    words.remainder().contains(&b'{')
}

/// The hash slot of `key`, as `CLUSTER KEYSLOT` computes it.
///
/// ```
/// use resp_core::command::key_slot;
///
/// assert_eq!(key_slot(b"foo"), 12182);
/// assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
/// assert!(key_slot(b"") < 16384);
/// ```
pub fn key_slot(key: &[u8]) -> u16 {
    crc16(hash_tag(key)) % SLOTS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytewise definition.
    fn crc16_bytewise(data: &[u8]) -> u16 {
        data.iter().fold(0u16, |crc, &b| {
            (crc << 8) ^ TABLE[usize::from((crc >> 8) as u8 ^ b)]
        })
    }

    #[test]
    fn eight_bytes_per_step_agree_with_one() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..200 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            assert_eq!(crc16(&data), crc16_bytewise(&data), "{len} bytes");
        }
    }

    /// The definition, searched byte by byte.
    fn hash_tag_naive(key: &[u8]) -> &[u8] {
        let Some(open) = key.iter().position(|&b| b == b'{') else {
            return key;
        };
        match key[open + 1..].iter().position(|&b| b == b'}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        }
    }

    /// Keys of 0-99 bytes with a `{` and a `}` (or neither) at every
    /// place, among bytes that differ from `{` by one bit (`z`, `;`, `[`,
    /// `k`, `}`) or by its high bit: what the eight-byte search must not
    /// mistake for `{`.
    #[test]
    fn hash_tags_agree_with_the_bytewise_search() {
        let fillers = [b'z', b';', b'[', b'k', 0xfb, b'}', 0x7a, 0xff, 0];
        for len in 0..100usize {
            for filler in fillers {
                let mut key = vec![filler; len];
                assert_eq!(hash_tag(&key), hash_tag_naive(&key), "{key:?}");
                for open in 0..len {
                    key[open] = b'{';
                    assert_eq!(hash_tag(&key), hash_tag_naive(&key), "{key:?}");
                    for close in (open + 1..len).step_by(3) {
                        key[close] = b'}';
                        assert_eq!(hash_tag(&key), hash_tag_naive(&key), "{key:?}");
                        key[close] = filler;
                    }
                    key[open] = filler;
                }
            }
        }
    }

    #[test]
    fn check_value() {
        // The standard check value of CRC16-XMODEM.
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(key_slot(b""), 0);
        assert_eq!(key_slot(b"{}"), crc16(b"{}") % SLOTS);
    }
}
