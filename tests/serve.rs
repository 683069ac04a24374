//! `segscope serve` through the real binary on loopback: the sample scored over HTTP (JSON and CSV bodies)
//! equals `apply` for k-means, GMM, Ward and a one-hot + log1p recipe; `/model` and `/health`; every bad request is answered (400,
//! 413, 415, 405, 404) and the server keeps serving; SIGTERM stops it with exit code 0.
#![cfg(feature = "serve")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

const SAMPLE: &str = "assets/sample_customers.csv";
/// Not a timing assertion: how long we wait before calling the server hung.
const HANG: Duration = Duration::from_mins(1);

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("segscope")
}

fn run_ok(args: &[&str]) {
    let o = Command::new(bin()).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A model of the sample (`cluster --save-model`) and `apply`'s scored CSV of the sample.
fn model_and_apply(dir: &Path, method: &[&str]) -> (PathBuf, PathBuf) {
    let (a, b, m) = (dir.join("a.csv"), dir.join("b.csv"), dir.join("m.json"));
    let mut args = vec![
        "cluster",
        SAMPLE,
        "-q",
        "-o",
        a.to_str().unwrap(),
        "--save-model",
        m.to_str().unwrap(),
    ];
    args.extend_from_slice(method);
    run_ok(&args);
    run_ok(&[
        "apply",
        m.to_str().unwrap(),
        SAMPLE,
        "-q",
        "--json",
        "-o",
        b.to_str().unwrap(),
    ]);
    (m, b)
}

/// The server process; killed when dropped (a failed test leaves nothing running).
struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(model: &Path) -> Served {
    serve_with(model, &[])
}

fn serve_with(model: &Path, extra: &[&str]) -> Served {
    let mut child = Command::new(bin())
        .args(["serve", model.to_str().unwrap(), "--port", "0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "serve exited before listening"
        );
        if let Some(rest) = line.trim().strip_prefix("listening on http://") {
            break rest.parse::<SocketAddr>().unwrap();
        }
    };
    assert!(
        addr.ip().is_loopback(),
        "binds 127.0.0.1 by default: {addr}"
    );
    // Keep draining standard error so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    Served { child, addr }
}

/// One HTTP/1.1 request on its own connection; the status and the body.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(HANG)).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(ct) = content_type {
        write!(head, "Content-Type: {ct}\r\n").unwrap();
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) and close before a large body is sent: write from a thread, errors
    // ignored, and read the answer here.
    let mut w = s.try_clone().unwrap();
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(&body);
    });
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let _ = writer.join();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

fn post_json(addr: SocketAddr, body: &Value) -> (u16, Value) {
    let (status, text) = request(
        addr,
        "POST",
        "/score",
        Some("application/json"),
        body.to_string().as_bytes(),
    );
    (status, serde_json::from_str(&text).unwrap())
}

/// The sample's rows as JSON objects: numbers as numbers, empty cells as null, the rest as strings.
fn sample_as_json() -> Value {
    let mut rdr = csv::Reader::from_path(SAMPLE).unwrap();
    let header = rdr.headers().unwrap().clone();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            let obj: Map<String, Value> = header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| {
                    let v = if v.is_empty() {
                        Value::Null
                    } else if let Ok(x) = v.parse::<f64>() {
                        json!(x)
                    } else {
                        json!(v)
                    };
                    (h.to_owned(), v)
                })
                .collect();
            Value::Object(obj)
        })
        .collect();
    Value::Array(rows)
}

fn column(path: &Path, name: &str) -> Option<Vec<String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let i = rdr.headers().unwrap().iter().position(|h| h == name)?;
    Some(rdr.records().map(|r| r.unwrap()[i].to_owned()).collect())
}

/// `answer` (a /score response) says what `apply` wrote in `scored`.
fn assert_equals_apply(answer: &Value, scored: &Path, k: usize) {
    let segments = column(scored, "segment").unwrap();
    let names = column(scored, "segment_name").unwrap();
    let got = answer["segments"].as_array().unwrap();
    assert_eq!(got.len(), segments.len());
    for (i, (g, want)) in got.iter().zip(&segments).enumerate() {
        let g = g.as_u64().map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(&g, want, "segment of row {i}");
        assert_eq!(
            answer["names"][i].as_str().unwrap_or_default(),
            names[i],
            "name of row {i}"
        );
    }
    match column(scored, "distance_to_centre") {
        Some(d) => {
            for (i, want) in d.iter().enumerate() {
                assert_eq!(
                    answer["distances"][i].as_f64().unwrap(),
                    want.parse::<f64>().unwrap()
                );
            }
        }
        None => assert!(
            answer["distances"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_null)
        ),
    }
    match column(scored, "p_0") {
        Some(_) => {
            let p = answer["probabilities"].as_array().unwrap();
            let cols: Vec<Vec<String>> = (0..k)
                .map(|j| column(scored, &format!("p_{j}")).unwrap())
                .collect();
            for (i, row) in p.iter().enumerate() {
                assert_eq!(row.as_array().unwrap().len(), k);
                for (j, col) in cols.iter().enumerate() {
                    assert_eq!(row[j].as_f64().unwrap(), col[i].parse::<f64>().unwrap());
                }
            }
        }
        None => assert!(answer.get("probabilities").is_none()),
    }
}

#[test]
fn the_sample_scored_over_http_equals_apply() {
    let json_rows = sample_as_json();
    let csv_body = std::fs::read(SAMPLE).unwrap();
    for (method, k) in [
        (&["--method", "kmeans", "--k", "5"][..], 5),
        (&["--method", "gmm", "--k", "4"], 4),
        (&["--method", "ward", "--k", "5"], 5),
        // One-hot categoricals with missing cells, log1p.
        (
            &[
                "--k",
                "4",
                "--features",
                "age,region,channel,total_spent",
                "--log1p",
                "total_spent",
            ],
            4,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (m, b) = model_and_apply(dir.path(), method);
        let server = serve(&m);
        let (status, answer) = post_json(server.addr, &json_rows);
        assert_eq!(status, 200, "{method:?} JSON: {answer}");
        assert_equals_apply(&answer, &b, k);
        let (status, text) = request(server.addr, "POST", "/score", Some("text/csv"), &csv_body);
        assert_eq!(status, 200, "{method:?} CSV: {text}");
        let from_csv: Value = serde_json::from_str(&text).unwrap();
        assert_equals_apply(&from_csv, &b, k);
        // One row on its own gets the segment it has in the batch.
        let (status, one) = post_json(server.addr, &json!([json_rows[7]]));
        assert_eq!(status, 200);
        assert_eq!(one["segments"][0], answer["segments"][7]);
    }
}

#[test]
fn model_and_health_describe_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = model_and_apply(dir.path(), &["--k", "5"]);
    let server = serve(&m);
    let (status, text) = request(server.addr, "GET", "/health", None, b"");
    assert_eq!((status, text.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, text) = request(server.addr, "GET", "/model", None, b"");
    assert_eq!(status, 200);
    let model: Value = serde_json::from_str(&text).unwrap();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&m).unwrap()).unwrap();
    assert_eq!(model["version"], saved["version"]);
    assert_eq!(model["method"], json!("kmeans"));
    let features: Vec<&str> = model["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let inputs: Vec<&str> = saved["input_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(features, inputs);
    let segments = model["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 5);
    let total: u64 = segments.iter().map(|s| s["size"].as_u64().unwrap()).sum();
    assert_eq!(total, 3000);
    for (i, s) in segments.iter().enumerate() {
        assert_eq!(s["id"], json!(i));
        assert!(s["name"].is_string() && s["share"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn bad_requests_are_answered_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = model_and_apply(dir.path(), &["--k", "5"]);
    let server = serve(&m);
    let a = server.addr;
    let mut row = sample_as_json()[0].clone();
    let error_of = |status: u16, text: &str, want: u16| -> String {
        assert_eq!(status, want, "{text}");
        let v: Value = serde_json::from_str(text).unwrap();
        v["error"].as_str().unwrap().to_owned()
    };
    let json_ct = Some("application/json");

    let (s, t) = request(a, "POST", "/score", json_ct, b"[{\"age\": 3");
    assert!(error_of(s, &t, 400).contains("not valid JSON"));
    let (s, t) = request(a, "POST", "/score", json_ct, b"{\"age\": 3}");
    assert!(error_of(s, &t, 400).contains("array"));
    let (s, t) = request(a, "POST", "/score", json_ct, b"[1, 2]");
    assert!(error_of(s, &t, 400).contains("row 1"));

    let mut lacking = row.clone();
    lacking.as_object_mut().unwrap().remove("tenure_months");
    let (s, t) = post_json(a, &json!([row, lacking]));
    assert_eq!(s, 400);
    let e = t["error"].as_str().unwrap();
    assert!(e.contains("row 2") && e.contains("tenure_months"), "{e}");

    for bad in [json!("abc"), json!(true), json!([1]), json!({"x": 1})] {
        let mut wrong = row.clone();
        wrong["age"] = bad.clone();
        let (s, t) = post_json(a, &json!([wrong]));
        assert_eq!(s, 400, "{bad}");
        assert!(t["error"].as_str().unwrap().contains("'age'"), "{t}");
    }

    let (s, t) = request(
        a,
        "POST",
        "/score",
        Some("text/csv"),
        b"age,region\n3,East\n",
    );
    let e = error_of(s, &t, 400);
    assert!(
        e.contains("lacks column") && e.contains("tenure_months"),
        "{e}"
    );
    let mut csv = std::fs::read_to_string(SAMPLE).unwrap();
    csv = csv.replacen(",54,East,", ",old,East,", 1);
    let (s, t) = request(a, "POST", "/score", Some("text/csv"), csv.as_bytes());
    assert!(error_of(s, &t, 400).contains("'age'"));
    let (s, t) = request(a, "POST", "/score", Some("text/csv"), b"");
    assert!(error_of(s, &t, 400).contains("empty"));

    let huge = vec![b' '; 17 << 20];
    let (s, t) = request(a, "POST", "/score", json_ct, &huge);
    error_of(s, &t, 413);
    let (s, t) = request(a, "POST", "/score", Some("text/plain"), b"x");
    error_of(s, &t, 415);
    let (s, t) = request(a, "POST", "/score", None, b"[]");
    error_of(s, &t, 415);
    let (s, t) = request(a, "GET", "/score", None, b"");
    error_of(s, &t, 405);
    let (s, t) = request(a, "POST", "/health", None, b"");
    error_of(s, &t, 405);
    let (s, t) = request(a, "GET", "/nope", None, b"");
    error_of(s, &t, 404);

    // Still up and scoring; a value as a numeric string, null and an unseen level are fine.
    row["age"] = json!("41");
    row["region"] = json!("Atlantis");
    row["tenure_months"] = Value::Null;
    let (s, t) = post_json(a, &json!([row]));
    assert_eq!(s, 200, "{t}");
    assert!(t["segments"][0].as_u64().unwrap() < 5);
    for ct in ["application/json; charset=utf-8", "Application/JSON"] {
        let body = json!([row]).to_string();
        let (s, t) = request(a, "POST", "/score", Some(ct), body.as_bytes());
        assert_eq!(s, 200, "{ct}: {t}");
    }
    let (s, t) = post_json(a, &json!([]));
    assert_eq!(
        (s, t),
        (200, json!({"segments": [], "names": [], "distances": []}))
    );
    let (s, _) = request(a, "GET", "/health", None, b"");
    assert_eq!(s, 200);
}

#[test]
fn the_body_limit_can_be_lowered() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = model_and_apply(dir.path(), &["--k", "3"]);
    let server = serve_with(&m, &["--body-limit", "4K"]);
    let csv = std::fs::read(SAMPLE).unwrap();
    let (s, t) = request(
        server.addr,
        "POST",
        "/score",
        Some("text/csv"),
        &csv[..4096],
    );
    assert_eq!(s, 200, "{t}");
    let (s, t) = request(
        server.addr,
        "POST",
        "/score",
        Some("text/csv"),
        &csv[..4097],
    );
    assert_eq!(s, 413, "{t}");
    assert!(t.contains("larger than 4.0 KiB"), "{t}");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_with_exit_code_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = model_and_apply(dir.path(), &["--k", "3"]);
    let mut server = serve(&m);
    // An idle keep-alive connection must not hold the shutdown up.
    let mut idle = TcpStream::connect(server.addr).unwrap();
    idle.write_all(format!("GET /health HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr).as_bytes())
        .unwrap();
    let mut buf = [0u8; 256];
    assert!(idle.read(&mut buf).unwrap() > 0);
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let code = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s.code();
        }
        assert!(start.elapsed() < HANG, "serve did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0));
    // Exited before the CLI's 2 s signal grace period would have forced 143.
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(TcpStream::connect(server.addr).is_err());
}
