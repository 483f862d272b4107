//! Key numbers: which key each request touches (`__rand_int__`,
//! `__key__`), drawn over a key range with memtier_benchmark's patterns.

use rand::rngs::SmallRng;
use rand::RngExt;
use rand_distr::{Distribution, Normal, Zipf};

/// How keys are picked from the range (memtier's `--key-pattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyPattern {
    /// Uniform over the range (`R`).
    Random,
    /// One after the other, each connection from its own part of the range
    /// (`S`).
    Sequential,
    /// Normal around `--key-median` with `--key-stddev` (`G`).
    Gaussian,
    /// Zipf with exponent `--key-zipf-exp`: the lowest keys are the hottest
    /// (`Z`).
    Zipf,
}

impl KeyPattern {
    /// `R`, `S`, `G`, `Z` (memtier's letters) or the words, in any case.
    pub(crate) fn parse(text: &str) -> Option<KeyPattern> {
        match text.to_ascii_lowercase().as_str() {
            "r" | "random" | "uniform" => Some(KeyPattern::Random),
            "s" | "sequential" => Some(KeyPattern::Sequential),
            "g" | "gaussian" | "normal" => Some(KeyPattern::Gaussian),
            "z" | "zipf" | "zipfian" => Some(KeyPattern::Zipf),
            _ => None,
        }
    }

    /// The name used in reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            KeyPattern::Random => "random",
            KeyPattern::Sequential => "sequential",
            KeyPattern::Gaussian => "gaussian",
            KeyPattern::Zipf => "zipf",
        }
    }
}

/// The key range and how it is walked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeySpace {
    /// The pattern.
    pub pattern: KeyPattern,
    /// The lowest key number.
    pub min: u64,
    /// The highest key number (inclusive).
    pub max: u64,
    /// Gaussian: the standard deviation (default: a sixth of the range).
    pub stddev: Option<f64>,
    /// Gaussian: the centre (default: the middle of the range).
    pub median: Option<f64>,
    /// Zipf: the exponent, in (0, 5].
    pub zipf_exp: f64,
}

impl KeySpace {
    /// Checks the parameters; the message says what is wrong.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.min > self.max {
            return Err(format!(
                "the key range is empty: --key-minimum {} is above --key-maximum {}",
                self.min, self.max
            ));
        }
        if let Some(s) = self.stddev {
            if !(s.is_finite() && s > 0.0) {
                return Err("--key-stddev must be a positive number".into());
            }
        }
        if let Some(m) = self.median {
            if !m.is_finite() {
                return Err("--key-median must be a number".into());
            }
        }
        if !(self.zipf_exp > 0.0 && self.zipf_exp <= 5.0) {
            return Err("--key-zipf-exp must be in (0, 5]".into());
        }
        Ok(())
    }

    fn span(&self) -> u64 {
        self.max - self.min + 1
    }
}

enum Draw {
    Uniform,
    Sequential { next: u64 },
    Gaussian(Normal<f64>),
    Zipf(Zipf<f64>),
}

/// A connection's key picker.
pub(crate) struct KeyGen {
    min: u64,
    max: u64,
    draw: Draw,
}

impl KeyGen {
    /// The picker of connection `index` of `count` (sequential patterns
    /// start each connection at its own share of the range).
    pub(crate) fn new(space: &KeySpace, index: usize, count: usize) -> KeyGen {
        let span = space.span();
        let draw = match space.pattern {
            KeyPattern::Random => Draw::Uniform,
            KeyPattern::Sequential => {
                let share = span / count.max(1) as u64;
                Draw::Sequential {
                    next: share.saturating_mul(index as u64),
                }
            }
            KeyPattern::Gaussian => {
                let centre = space
                    .median
                    .unwrap_or(space.min as f64 + (span as f64 - 1.0) / 2.0);
                let stddev = space.stddev.unwrap_or((span as f64 / 6.0).max(1.0));
                match Normal::new(centre, stddev) {
                    Ok(normal) => Draw::Gaussian(normal),
                    Err(_) => Draw::Uniform,
                }
            }
            KeyPattern::Zipf => match Zipf::new(span as f64, space.zipf_exp) {
                Ok(zipf) => Draw::Zipf(zipf),
                Err(_) => Draw::Uniform,
            },
        };
        KeyGen {
            min: space.min,
            max: space.max,
            draw,
        }
    }

    /// The next key number, in `min..=max`.
    pub(crate) fn next(&mut self, rng: &mut SmallRng) -> u64 {
        match &mut self.draw {
            Draw::Uniform => rng.random_range(self.min..=self.max),
            Draw::Sequential { next } => {
                let span = self.max - self.min + 1;
                let key = self.min + *next % span;
                *next = (*next + 1) % span;
                key
            }
            Draw::Gaussian(normal) => {
                let x = normal.sample(rng).round();
                x.clamp(self.min as f64, self.max as f64) as u64
            }
            Draw::Zipf(zipf) => {
                // 1..=span, 1 the most frequent.
                let rank = zipf.sample(rng) as u64;
                (self.min + rank.saturating_sub(1)).min(self.max)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn space(pattern: KeyPattern, min: u64, max: u64) -> KeySpace {
        KeySpace {
            pattern,
            min,
            max,
            stddev: None,
            median: None,
            zipf_exp: 1.0,
        }
    }

    #[test]
    fn patterns_stay_in_range_and_have_their_shape() {
        let mut rng = SmallRng::seed_from_u64(7);
        for pattern in [
            KeyPattern::Random,
            KeyPattern::Sequential,
            KeyPattern::Gaussian,
            KeyPattern::Zipf,
        ] {
            let mut keys = KeyGen::new(&space(pattern, 100, 199), 0, 1);
            let mut hits = [0u32; 100];
            for _ in 0..20_000 {
                let k = keys.next(&mut rng);
                assert!((100..=199).contains(&k), "{pattern:?} gave {k}");
                hits[(k - 100) as usize] += 1;
            }
            match pattern {
                KeyPattern::Random => assert!(hits.iter().all(|&h| h > 100)),
                KeyPattern::Sequential => assert!(hits.iter().all(|&h| h == 200)),
                KeyPattern::Gaussian => {
                    let middle: u32 = hits[40..60].iter().sum();
                    let edges: u32 = hits[..10].iter().chain(&hits[90..]).sum();
                    assert!(middle > 5 * edges, "middle {middle}, edges {edges}");
                }
                KeyPattern::Zipf => {
                    assert!(hits[0] > hits[1] && hits[1] > hits[10] && hits[10] > hits[90]);
                }
            }
        }
    }

    #[test]
    fn sequential_connections_start_apart() {
        let mut rng = SmallRng::seed_from_u64(1);
        let s = space(KeyPattern::Sequential, 0, 99);
        let firsts: Vec<u64> = (0..4)
            .map(|i| KeyGen::new(&s, i, 4).next(&mut rng))
            .collect();
        assert_eq!(firsts, [0, 25, 50, 75]);
    }

    #[test]
    fn names_and_checks() {
        assert_eq!(KeyPattern::parse("Z"), Some(KeyPattern::Zipf));
        assert_eq!(KeyPattern::parse("gaussian"), Some(KeyPattern::Gaussian));
        assert_eq!(KeyPattern::parse("x"), None);
        assert!(space(KeyPattern::Random, 5, 4).validate().is_err());
        let mut s = space(KeyPattern::Zipf, 0, 9);
        s.zipf_exp = 0.0;
        assert!(s.validate().is_err());
    }
}
