//! `--json FILE`: the configuration, per-test and per-command totals and
//! percentiles, a per-second time series, and each test's latencies as an
//! HdrHistogram interval log (V2, deflate, base64; one histogram per
//! second and command, tagged with the command's name, values in
//! microseconds) that HdrHistogram's tools read.

use std::time::Duration;

use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
use hdrhistogram::serialization::V2DeflateSerializer;
use serde_json::{json, Map, Value};

use super::histogram::{at, ms, Hist};
use super::report::percentile_name;
use super::result::TestResult;
use super::stats::{decode, Errors};

/// The percentiles every command gets in the JSON, besides chosen ones.
const PERCENTILES: [f64; 6] = [50.0, 90.0, 95.0, 99.0, 99.9, 99.99];

/// The whole document.
pub(crate) fn document(configuration: Value, results: &[TestResult], percentiles: &[f64]) -> Value {
    json!({
        "tool": "redis-cli-rs --bench",
        "version": env!("CARGO_PKG_VERSION"),
        "configuration": configuration,
        "tests": results.iter().map(|r| test(r, percentiles)).collect::<Vec<_>>(),
    })
}

/// The tag of `kind` in the interval log: its name with spaces and
/// commas replaced.
pub(crate) fn tag_of(kind: &str) -> String {
    kind.chars()
        .map(|c| {
            if c == ' ' || c == ',' || c == '\r' || c == '\n' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn test(r: &TestResult, percentiles: &[f64]) -> Value {
    let seconds = r.elapsed.as_secs_f64();
    let rate = |n: u64| {
        if seconds > 0.0 {
            n as f64 / seconds
        } else {
            0.0
        }
    };
    let mut errors = Errors::default();
    let mut commands = Map::new();
    for (name, stats) in r.kinds.iter().zip(&r.stats) {
        errors.add(&stats.errors);
        commands.insert(
            name.clone(),
            json!({
                "tag": tag_of(name),
                "requests": stats.replies(),
                "rps": rate(stats.replies()),
                "errors": errors_json(&stats.errors),
                "latency_ms": latency(&stats.latency, percentiles),
                "service_time_ms": if stats.service.is_empty() { Value::Null } else { latency(&stats.service, percentiles) },
            }),
        );
    }
    let series: Vec<Value> = r
        .seconds
        .iter()
        .map(|s| {
            let mut per = Map::new();
            for (name, k) in r.kinds.iter().zip(&s.kinds) {
                per.insert(
                    name.clone(),
                    json!({
                        "requests": k.replies,
                        "errors": k.errors,
                        "p50_ms": ms(k.p50),
                        "p99_ms": ms(k.p99),
                        "max_ms": ms(k.max),
                    }),
                );
            }
            json!({
                "second": s.second,
                "requests": s.kinds.iter().map(|k| k.replies).sum::<u64>(),
                "errors": s.kinds.iter().map(|k| k.errors).sum::<u64>(),
                "commands": per,
            })
        })
        .collect();
    let started = r
        .started
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    json!({
        "name": r.title,
        "started": started,
        "elapsed_s": seconds,
        "requests": r.replies(),
        "sent": r.sent,
        "rps": rate(r.replies()),
        "late": r.late,
        "dropped": r.dropped,
        "aborted": r.aborted,
        "errors": errors_json(&errors),
        "commands": commands,
        "time_series": series,
        "hdr_log": interval_log(r),
    })
}

fn latency(h: &Hist, chosen: &[f64]) -> Value {
    let mut m = Map::new();
    let empty = h.is_empty();
    m.insert(
        "avg".into(),
        json!(if empty { 0.0 } else { h.mean() / 1000.0 }),
    );
    m.insert("min".into(), json!(ms(h.min())));
    m.insert("max".into(), json!(ms(if empty { 0 } else { h.max() })));
    let mut all: Vec<f64> = PERCENTILES.to_vec();
    for p in chosen {
        if !all.iter().any(|q| (q - p).abs() < 1e-9) {
            all.push(*p);
        }
    }
    all.sort_by(f64::total_cmp);
    for p in all {
        m.insert(percentile_name(p), json!(ms(at(h, p))));
    }
    Value::Object(m)
}

fn errors_json(e: &Errors) -> Value {
    json!({
        "total": e.total(),
        "timeout": e.timeout,
        "connection": e.connection,
        "moved": e.moved,
        "ask": e.ask,
        "tryagain": e.tryagain,
        "clusterdown": e.clusterdown,
        "server": e.server,
        "by_prefix": e.by_prefix,
    })
}

/// The test's interval log: a header, then one line per second and kind.
pub(crate) fn interval_log(r: &TestResult) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    // Header: version, times; the column legend; the value unit (the
    // maximum of each line is in milliseconds).
    let header = IntervalLogWriterBuilder::new()
        .add_comment("[Histogram log format version 1.3]")
        .add_comment(&format!(
            "[redis-cli-rs --bench: {}; values in microseconds]",
            r.title.replace(['\n', '\r'], " ")
        ))
        .with_start_time(r.started)
        .with_base_time(r.started)
        .begin_log_with(&mut out, &mut serializer)
        .is_ok();
    if !header {
        return String::new();
    }
    out.extend_from_slice(
        b"\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n",
    );
    let tags: Vec<String> = r.kinds.iter().map(|k| tag_of(k)).collect();
    {
        let Ok(mut log) = IntervalLogWriterBuilder::new()
            .with_max_value_divisor(1000.0)
            .begin_log_with(&mut out, &mut serializer)
        else {
            return String::new();
        };
        for s in &r.seconds {
            for (k, tag) in tags.iter().enumerate() {
                let Some(bytes) = &s.kinds[k].histogram else {
                    continue;
                };
                let Some(h) = decode(bytes) else {
                    continue;
                };
                let _ = log.write_histogram(
                    &h,
                    Duration::from_secs(s.second),
                    Duration::from_secs(1),
                    Tag::new(tag),
                );
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use std::time::{Instant, SystemTime};

    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
    use hdrhistogram::serialization::Deserializer;

    use super::*;
    use crate::modes::bench::histogram::new_hist;
    use crate::modes::bench::stats::Recorder;

    #[test]
    fn the_log_gives_back_the_totals() {
        let start = Instant::now();
        let mut rec = Recorder::new(2, 3, start, false, false);
        for i in 0..3000u64 {
            let at_ = start + Duration::from_micros(i * 1000 + 5);
            rec.reply(
                (i % 2) as usize,
                at_,
                at_ - Duration::from_micros(50 + i),
                None,
                None,
            );
        }
        rec.finish();
        let r = TestResult::merge(
            "mixed test".into(),
            vec!["SET".into(), "LRANGE_100 (first 100 elements)".into()],
            vec![rec],
            Duration::from_secs(3),
            SystemTime::now(),
            3,
            3,
        );
        let log = interval_log(&r);
        assert!(log.starts_with("#[Histogram log format version 1.3]\n"));
        assert!(log.contains("\"StartTimestamp\",\"Interval_Length\""));
        let mut sums = [new_hist(3), new_hist(3)];
        let mut lines = 0;
        for entry in IntervalLogIterator::new(log.as_bytes()) {
            if let Ok(LogEntry::Interval(i)) = entry {
                let bytes = STANDARD.decode(i.encoded_histogram()).unwrap();
                let h: Hist = Deserializer::new().deserialize(&mut &bytes[..]).unwrap();
                let k = match i.tag().map(|t| t.as_str()) {
                    Some("SET") => 0,
                    Some("LRANGE_100_(first_100_elements)") => 1,
                    other => panic!("tag {other:?}"),
                };
                sums[k].add(&h).unwrap();
                lines += 1;
            }
        }
        assert_eq!(lines, 6);
        for (sum, stats) in sums.iter().zip(&r.stats) {
            assert_eq!(sum.len(), stats.latency.len());
            assert_eq!(at(sum, 99.0), at(&stats.latency, 99.0));
        }
        let doc = document(json!({}), &[r], &[99.5]);
        let cmd = &doc["tests"][0]["commands"]["SET"];
        assert_eq!(cmd["requests"], 1500);
        assert!(cmd["latency_ms"]["p99.5"].is_number());
        assert_eq!(doc["tests"][0]["time_series"].as_array().unwrap().len(), 3);
    }
}
