//! `--latency-dist`: `PING` every 10 ms and draw, every `-i` seconds
//! (default 1), a line of the latency spectrum in xterm-256 colours, with
//! a legend every 20 lines, as `redis-cli`'s `latencyDistMode` (`--mono`:
//! shades of grey). Runs until killed.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::options::Options;
use crate::session::Session;

/// The buckets: the largest latency each holds (µs; 0: the rest) and its
/// character.
const BUCKETS: &[(u64, u8)] = &[
    (10, b'.'),
    (125, b'-'),
    (250, b'*'),
    (500, b'#'),
    (1000, b'1'),
    (2000, b'2'),
    (3000, b'3'),
    (4000, b'4'),
    (5000, b'5'),
    (6000, b'6'),
    (7000, b'7'),
    (8000, b'8'),
    (9000, b'9'),
    (10000, b'A'),
    (20000, b'B'),
    (30000, b'C'),
    (40000, b'D'),
    (50000, b'E'),
    (100_000, b'F'),
    (200_000, b'G'),
    (300_000, b'H'),
    (400_000, b'I'),
    (500_000, b'J'),
    (1_000_000, b'K'),
    (2_000_000, b'L'),
    (4_000_000, b'M'),
    (8_000_000, b'N'),
    (16_000_000, b'O'),
    (30_000_000, b'P'),
    (60_000_000, b'Q'),
    (0, b'?'),
];

const PALETTE_COLOR: &[u8] = &[
    0, 233, 234, 235, 237, 239, 241, 243, 245, 247, 144, 143, 142, 184, 226, 214, 208, 202, 196,
];
const PALETTE_MONO: &[u8] = &[
    0, 233, 234, 235, 237, 239, 241, 243, 245, 247, 249, 251, 253,
];

fn legend(out: &mut impl Write, palette: &[u8]) {
    let mut text = String::from(
        "---------------------------------------------\n\
         . - * #          .01 .125 .25 .5 milliseconds\n\
         1,2,3,...,9      from 1 to 9     milliseconds\n\
         A,B,C,D,E        10,20,30,40,50  milliseconds\n\
         F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n\
         K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n\
         From 0 to 100%: ",
    );
    for color in palette {
        text.push_str(&format!("\x1b[48;5;{color}m "));
    }
    text.push_str("\x1b[0m\n---------------------------------------------\n");
    let _ = out.write_all(text.as_bytes());
}

/// One line of the spectrum: each bucket's character on a colour as
/// bright as its share of `total`.
fn spectrum(counts: &[u64], total: u64, palette: &[u8]) -> String {
    let mut line = String::from("\x1b[38;5;0m");
    for (count, (_, ch)) in counts.iter().zip(BUCKETS) {
        let index = (*count as f64 / total as f64 * (palette.len() - 1) as f64).ceil() as usize;
        let color = palette[index.min(palette.len() - 1)];
        line.push_str(&format!("\x1b[48;5;{color}m{}", char::from(*ch)));
    }
    line.push_str("\x1b[0m\n");
    line
}

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let palette = if opts.mono {
        PALETTE_MONO
    } else {
        PALETTE_COLOR
    };
    let interval = opts.interval.unwrap_or(Duration::from_millis(1000));
    let stdout = std::io::stdout();
    let mut counts = vec![0u64; BUCKETS.len()];
    let (mut total, mut outputs) = (0u64, 0u64);
    let mut history_start = Instant::now();
    let ping = [b"PING".to_vec()];
    loop {
        let start = Instant::now();
        let _ = session.call_reconnecting(&ping);
        let latency = start.elapsed().as_micros() as u64;
        total += 1;
        let bucket = BUCKETS
            .iter()
            .position(|&(max, _)| max == 0 || latency <= max)
            .unwrap_or(BUCKETS.len() - 1);
        counts[bucket] += 1;
        if history_start.elapsed() > interval {
            let mut out = stdout.lock();
            if outputs % 20 == 0 {
                legend(&mut out, palette);
            }
            outputs += 1;
            let _ = out.write_all(spectrum(&counts, total, palette).as_bytes());
            let _ = out.flush();
            counts.iter_mut().for_each(|c| *c = 0);
            total = 0;
            history_start = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brightness_follows_the_share() {
        let mut counts = vec![0; BUCKETS.len()];
        counts[0] = 3;
        counts[4] = 1;
        let line = spectrum(&counts, 4, PALETTE_COLOR);
        // 3/4 of 18 rounds up to 14 (226), 1/4 to 5 (239), nothing is 0.
        assert!(line.starts_with("\x1b[38;5;0m\x1b[48;5;226m.\x1b[48;5;0m-"));
        assert!(line.contains("\x1b[48;5;239m1"));
        assert!(line.ends_with("\x1b[48;5;0m?\x1b[0m\n"));
    }
}
