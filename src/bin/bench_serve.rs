//! Benchmark: `serve` on loopback, with a bounded number of requests (it stops by itself).
//!
//! `cargo run --release --no-default-features --features serve --bin bench_serve [-- --quick]`. Fits k-means (k = 5) on
//! assets/sample_customers.csv with two categorical (one-hot) and seven numeric features, starts the
//! server in this process on 127.0.0.1 (a free port), then with 8 concurrent clients on keep-alive
//! connections (a tiny HTTP/1.1 client on `std::net`, no dependency):
//! - batches: 1,000-row bodies as JSON and as CSV → rows/s over the whole run;
//! - single rows: one-row JSON bodies → requests/s and p50 / p99 / max latency per request.
//!
//! With the CPU seconds of the process (server and clients) per row or request, steadier than wall rates
//! on a shared machine. Every answer must be 200 with as many segments as rows sent, else the benchmark fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use segscope::analysis::{ModelSpec, Policy, Target, fit_segments, prepare};
use segscope::data::{LoadOptions, load_path};
use segscope::jobs::Progress;
use segscope::model::SegmentModel;
use segscope::prep::Preparation;
use segscope::serve::Server;

type BoxResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const SAMPLE: &str = "assets/sample_customers.csv";
const CLIENTS: usize = 8;
const BATCH_ROWS: usize = 1_000;

fn main() -> BoxResult<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let (batches_per_client, singles_per_client) = if quick { (5, 200) } else { (25, 2_500) };
    let model = fit_model()?;
    let server = Server::bind(model, "127.0.0.1", 0)?;
    let addr = server.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = std::thread::spawn(move || {
        server.run_until(async move {
            let _ = stopped.await;
        })
    });

    let (json_batch, csv_batch, singles) = bodies()?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    println!(
        "serve on {addr}: k-means k=5, {CLIENTS} clients, {cores} cores, {} build",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    // Warm-up: connections, the blocking pool, caches.
    run_clients(addr, 2, 2, |_, _| {
        (&json_batch, "application/json", BATCH_ROWS)
    })?;

    for (label, body, ct) in [
        ("JSON", &json_batch, "application/json"),
        ("CSV", &csv_batch, "text/csv"),
    ] {
        let (start, cpu0) = (Instant::now(), cpu_seconds());
        let lat = run_clients(addr, CLIENTS, batches_per_client, |_, _| {
            (body, ct, BATCH_ROWS)
        })?;
        let secs = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        let rows = lat.len() * BATCH_ROWS;
        println!(
            "batches {label:4}: {} requests × {BATCH_ROWS} rows in {secs:.2} s = {:.0} rows/s \
             ({:.2} µs CPU per row, server + clients); latency p50 {:.2} ms, p99 {:.2} ms",
            lat.len(),
            rows as f64 / secs,
            cpu / rows as f64 * 1e6,
            percentile(&lat, 0.50),
            percentile(&lat, 0.99)
        );
    }

    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let lat = run_clients(addr, CLIENTS, singles_per_client, |c, i| {
        (
            &singles[(c * 7919 + i) % singles.len()],
            "application/json",
            1,
        )
    })?;
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    println!(
        "single rows: {} requests in {secs:.2} s = {:.0} requests/s ({:.1} µs CPU per request, \
         server + clients); latency p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        lat.len(),
        lat.len() as f64 / secs,
        cpu / lat.len() as f64 * 1e6,
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );

    let _ = stop.send(());
    handle.join().map_err(|_| "the server thread panicked")??;
    Ok(())
}

/// K-means, k = 5, on the sample with one-hot categoricals.
fn fit_model() -> BoxResult<SegmentModel> {
    let progress = Progress::new();
    let table = load_path(Path::new(SAMPLE), &LoadOptions::default(), &progress)?;
    let features = [
        "age",
        "region",
        "channel",
        "tenure_months",
        "orders_12m",
        "avg_order_value",
        "days_since_last_order",
        "total_spent",
        "email_open_rate",
    ];
    let prep = Preparation::new(features.iter().map(|f| (*f).to_owned()).collect());
    let data = prepare(&table, &prep, 0, &progress)?;
    let spec = ModelSpec {
        seed: 0,
        ..ModelSpec::default()
    };
    let result = fit_segments(
        &table,
        &data,
        &spec,
        Target::K(5),
        &Policy::default(),
        None,
        &progress,
    )?;
    Ok(SegmentModel::from_result(&table, &data, &result)?)
}

/// The JSON batch, the CSV batch, the one-row bodies.
type Bodies = (Vec<u8>, Vec<u8>, Vec<Vec<u8>>);

/// A 1,000-row JSON body, the same rows as CSV, and each sample row as a one-row JSON body.
fn bodies() -> BoxResult<Bodies> {
    let text = std::fs::read_to_string(SAMPLE)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty sample")?.split(',').collect();
    let rows: Vec<&str> = lines.collect();
    let object = |line: &str| -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = header
            .iter()
            .zip(line.split(','))
            .map(|(h, v)| {
                let v = if v.is_empty() {
                    serde_json::Value::Null
                } else if let Ok(x) = v.parse::<f64>() {
                    serde_json::json!(x)
                } else {
                    serde_json::json!(v)
                };
                ((*h).to_owned(), v)
            })
            .collect();
        serde_json::Value::Object(map)
    };
    let batch: Vec<serde_json::Value> = rows[..BATCH_ROWS].iter().map(|l| object(l)).collect();
    let json_batch = serde_json::to_vec(&batch)?;
    let mut csv_batch = header.join(",").into_bytes();
    for l in &rows[..BATCH_ROWS] {
        csv_batch.push(b'\n');
        csv_batch.extend_from_slice(l.as_bytes());
    }
    csv_batch.push(b'\n');
    let singles = rows
        .iter()
        .map(|l| serde_json::to_vec(&[object(l)]))
        .collect::<Result<_, _>>()?;
    Ok((json_batch, csv_batch, singles))
}

/// Runs `clients` threads, each sending `per_client` requests on one keep-alive connection; `pick(c, i)`
/// gives client c's i-th body, content type and row count. Returns every request's latency (ms).
fn run_clients<'a, F>(
    addr: SocketAddr,
    clients: usize,
    per_client: usize,
    pick: F,
) -> BoxResult<Vec<f64>>
where
    F: Fn(usize, usize) -> (&'a Vec<u8>, &'static str, usize) + Sync,
{
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let pick = &pick;
                s.spawn(move || -> BoxResult<Vec<f64>> {
                    let mut conn = Conn::open(addr)?;
                    let mut lat = Vec::with_capacity(per_client);
                    for i in 0..per_client {
                        let (body, ct, rows) = pick(c, i);
                        let t = Instant::now();
                        let answer = conn.post("/score", ct, body)?;
                        lat.push(t.elapsed().as_secs_f64() * 1e3);
                        check(&answer, rows)?;
                    }
                    Ok(lat)
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| "a client thread panicked")??);
        }
        Ok(all)
    })
}

/// The answer has one segment per row sent.
fn check(answer: &[u8], rows: usize) -> BoxResult<()> {
    let v: serde_json::Value = serde_json::from_slice(answer)?;
    let n = v["segments"].as_array().map_or(0, Vec::len);
    if n == rows
        && v["segments"]
            .as_array()
            .is_some_and(|s| s.iter().all(serde_json::Value::is_u64))
    {
        Ok(())
    } else {
        Err(format!("unexpected answer: {}", String::from_utf8_lossy(answer)).into())
    }
}

/// CPU seconds of this process so far (user + system, from /proc; 0 where there is none). On a busy
/// machine the CPU per row is steadier than the wall rate.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 12th,
    // stime the 13th, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn percentile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let i = ((s.len() - 1) as f64 * q).round() as usize;
    s[i.min(s.len() - 1)]
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    addr: SocketAddr,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(addr: SocketAddr) -> BoxResult<Self> {
        let s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_mins(1)))?;
        Ok(Self {
            addr,
            writer: s.try_clone()?,
            reader: BufReader::new(s),
        })
    }

    /// Sends one POST and returns the body of a 200 answer.
    fn post(&mut self, path: &str, content_type: &str, body: &[u8]) -> BoxResult<Vec<u8>> {
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        self.writer.write_all(&req)?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        if !line.starts_with("HTTP/1.1 200") {
            return Err(format!("answer: {}", line.trim()).into());
        }
        let mut length = None;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = Some(v.trim().parse::<usize>()?);
            }
        }
        let mut out = vec![0; length.ok_or("no Content-Length in the answer")?];
        self.reader.read_exact(&mut out)?;
        Ok(out)
    }
}
