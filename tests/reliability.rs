//! Trust at the edges, end to end through the real binary: outputs never destroy inputs, special files
//! are written to and not replaced, several outputs appear all or none, no temp file is left behind (also
//! after Ctrl-C), errors name the user's paths, large inputs follow the one large-data policy, memory is
//! estimated before it is spent, extreme values give numbers or a clear error, and exit codes are
//! consistent. Each test pins an item of the reliability issue.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

const SAMPLE: &str = "assets/sample_customers.csv";

fn segscope() -> Command {
    Command::cargo_bin("segscope").unwrap()
}

fn run(args: &[&str]) -> Output {
    segscope().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn copy_sample(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(SAMPLE, &p).unwrap();
    p
}

/// Every file in `dir` whose name says it is a segscope temp file.
fn temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("segscope-tmp") || n.contains(".tmp-"))
        .collect()
}

#[test]
fn an_output_never_overwrites_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let x = copy_sample(dir.path(), "x.csv");
    let original = std::fs::read(&x).unwrap();
    let xs = x.to_str().unwrap();
    let dotted = format!("{}/./x.csv", dir.path().display());
    let link = dir.path().join("hard.csv");
    std::fs::hard_link(&x, &link).unwrap();
    let ls = link.to_str().unwrap();
    let recipe = dir.path().join("r.json");
    std::fs::write(&recipe, r#"{"version":1,"features":["age","orders_12m"]}"#).unwrap();
    let rs = recipe.to_str().unwrap();
    let out = dir.path().join("ok.csv");
    let os = out.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["cluster", xs, "--k", "3", "-o", xs],
        vec!["cluster", xs, "--k", "3", "-o", &dotted],
        vec!["cluster", xs, "--k", "3", "-o", ls],
        vec!["cluster", xs, "--k", "3", "-o", os, "--profile", xs],
        vec!["cluster", xs, "--k", "3", "-o", os, "--save-recipe", xs],
        vec![
            "cluster",
            xs,
            "--k",
            "3",
            "-o",
            os,
            "--recipe",
            rs,
            "--save-recipe",
            rs,
        ],
        vec!["cluster", xs, "--k", "3", "-o", os, "--profile", os],
        vec!["prepare", xs, "-o", xs],
        vec!["pca", xs, "-o", xs],
        vec!["linkage", xs, "-o", ls],
        vec![
            "rfm",
            xs,
            "--customer",
            "customer_id",
            "--date",
            "d",
            "--amount",
            "a",
            "-o",
            xs,
        ],
    ];
    for args in &cases {
        let o = run(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("error:"), "{args:?}: {err}");
        assert!(
            err.contains("input") || err.contains("same file") || err.contains("another output"),
            "{args:?}: {err}"
        );
        assert_eq!(
            std::fs::read(&x).unwrap(),
            original,
            "{args:?} changed the input"
        );
        assert!(!out.exists(), "{args:?} left an output");
        assert!(
            temps(dir.path()).is_empty(),
            "{args:?}: {:?}",
            temps(dir.path())
        );
    }
}

#[cfg(unix)]
#[test]
fn fifos_devices_and_symlinks_are_written_to_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    // A FIFO read by a thread: the labelled CSV streams through it.
    let fifo = dir.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = run(&["cluster", SAMPLE, "--k", "3", "-o", fifo.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = reader.join().unwrap();
    assert_eq!(text.lines().count(), 3001);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(",segment,segment_name,silhouette,distance_to_centre")
    );
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A symbolic link is followed; the link stays a link.
    let target = dir.path().join("target.csv");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = run(&["prepare", SAMPLE, "-o", link.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("age,")
    );
    // A character device made here (never the real /dev/null): written to, still a device.
    let dev = dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status();
    if made.is_ok_and(|s| s.success()) {
        let o = run(&["cluster", SAMPLE, "--k", "2", "-o", dev.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            std::fs::metadata(&dev)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    } else {
        eprintln!("skipped the device case: mknod is not permitted here");
    }
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn several_outputs_appear_all_or_none_and_bad_paths_fail_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labelled.csv");
    let missing = dir.path().join("no/such/dir/profile.csv");
    let start = std::time::Instant::now();
    let o = run(&[
        "cluster",
        SAMPLE,
        "--k",
        "4",
        "-o",
        out.to_str().unwrap(),
        "--profile",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("no/such/dir"),
        "the user's path is named: {err}"
    );
    assert!(
        !err.contains("segscope-tmp") && !err.contains("<output>"),
        "{err}"
    );
    assert!(!out.exists(), "the first output must not be left behind");
    assert!(temps(dir.path()).is_empty());
    assert!(start.elapsed().as_secs() < 60);
    // A full disk names the output path (a device behaves like one: /dev/full is ENOSPC).
    if Path::new("/dev/full").exists() {
        let o = run(&["prepare", SAMPLE, "-o", "/dev/full"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("/dev/full"), "{}", stderr(&o));
    }
}

#[test]
fn a_stale_temp_file_is_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let stale = dir.path().join(".out.csv.segscope-tmp");
    std::fs::write(&stale, "half a file from a killed run").unwrap();
    let o = run(&["prepare", SAMPLE, "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stale.exists());
    assert!(temps(dir.path()).is_empty());
}

/// A file big enough that `cluster` runs for a while in a test build.
fn big_csv(dir: &Path, rows: usize) -> PathBuf {
    let mut r = segscope::rng::Rng::new(11);
    let mut s = String::from("a,b,c,d\n");
    for i in 0..rows {
        let c = (i % 4) as f64 * 5.0;
        writeln!(
            s,
            "{:.4},{:.4},{:.4},{:.4}",
            c + r.normal(),
            r.normal(),
            -c + r.normal(),
            r.normal()
        )
        .unwrap();
    }
    let p = dir.join("big.csv");
    std::fs::write(&p, s).unwrap();
    p
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_cleans_up_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_csv(dir.path(), 400_000);
    let out = dir.path().join("out.csv");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("segscope"))
        .args([
            "cluster",
            big.to_str().unwrap(),
            "--k",
            "8",
            "--exact-silhouette",
        ])
        .args(["-o", out.to_str().unwrap(), "--profile"])
        .arg(dir.path().join("p.csv"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!out.exists());
    assert!(temps(dir.path()).is_empty(), "{:?}", temps(dir.path()));
}

#[test]
fn large_data_gets_a_sampled_silhouette_marked_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_csv(dir.path(), 40_000);
    let out = dir.path().join("o.csv");
    let o = run(&[
        "cluster",
        big.to_str().unwrap(),
        "--k",
        "4",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sampled"], true);
    let ci = v["silhouette_ci"].as_array().unwrap();
    let s = v["silhouette"].as_f64().unwrap();
    assert!(ci[0].as_f64().unwrap() <= s && s <= ci[1].as_f64().unwrap());
    assert!(stderr(&o).contains("stratified sample"), "{}", stderr(&o));
    let o = run(&["score", big.to_str().unwrap(), "--labels", "a", "--json"]);
    // 'a' is continuous, so it has far too many labels: a clear refusal, not an hour of work.
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("distinct labels"), "{}", stderr(&o));
}

#[test]
fn wide_full_covariance_mixtures_are_refused_with_the_figure() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = segscope::rng::Rng::new(1);
    let d = 2_000;
    let mut s = (0..d)
        .map(|j| format!("f{j}"))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    for _ in 0..60 {
        let row: Vec<String> = (0..d).map(|_| format!("{:.3}", r.normal())).collect();
        s.push_str(&row.join(","));
        s.push('\n');
    }
    let f = dir.path().join("wide.csv");
    std::fs::write(&f, s).unwrap();
    let start = std::time::Instant::now();
    let o = run(&[
        "sweep",
        f.to_str().unwrap(),
        "--method",
        "gmm",
        "--k",
        "2..10",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("would take about") && err.contains("diagonal"),
        "{err}"
    );
    assert!(err.contains("hint: --covariance diag"), "{err}");
    assert!(start.elapsed().as_secs() < 60);
}

#[test]
fn a_sweep_skips_impossible_k_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("three.csv");
    std::fs::write(&f, "x,y\n0,0\n1,0\n5,5\n").unwrap();
    let o = run(&["sweep", f.to_str().unwrap(), "--k", "2..4", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["results"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[2]["skipped"]
            .as_str()
            .unwrap()
            .contains("number of rows")
    );
    let same = dir.path().join("same.csv");
    std::fs::write(&same, "x,y\n".to_owned() + &"1,2\n".repeat(10)).unwrap();
    let o = run(&["sweep", same.to_str().unwrap(), "--k", "2..3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no k of the range"), "{}", stderr(&o));
}

#[cfg(target_os = "linux")]
#[test]
fn memory_is_estimated_before_it_is_spent_even_under_an_address_space_limit() {
    if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: prlimit is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // 60,000 rows, 60,000 distinct levels: one-hot encoding would need ~58 GB.
    let mut s = String::from("code,x\n");
    for i in 0..60_000 {
        writeln!(s, "L{i},{}", i % 7).unwrap();
    }
    let f = dir.path().join("levels.csv");
    std::fs::write(&f, s).unwrap();
    let out = dir.path().join("o.csv");
    let o = std::process::Command::new("prlimit")
        .arg("--as=4000000000")
        .arg(assert_cmd::cargo::cargo_bin("segscope"))
        .args(["prepare", f.to_str().unwrap(), "--features", "code,x"])
        .args(["--max-categories", "1000000", "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("memory limit") && err.contains("top levels"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn small_inputs_that_are_endless_stop_with_a_message() {
    let o = run(&["cluster", SAMPLE, "--recipe", "/dev/zero", "-o", "-"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("larger than"), "{}", stderr(&o));
}

#[test]
fn extreme_values_give_numbers_or_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("x,y\n");
    for i in 0..40 {
        let big = if i % 10 == 0 { "1e308" } else { "-1e308" };
        writeln!(s, "{big},{}", i % 5).unwrap();
    }
    let f = dir.path().join("extreme.csv");
    std::fs::write(&f, s).unwrap();
    let out = dir.path().join("o.csv");
    let prof = dir.path().join("p.csv");
    let o = run(&[
        "cluster",
        f.to_str().unwrap(),
        "--k",
        "2",
        "-o",
        out.to_str().unwrap(),
        "--profile",
        prof.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for p in [&out, &prof] {
        let text = std::fs::read_to_string(p).unwrap().to_lowercase();
        assert!(
            !text.contains("inf") && !text.contains("nan"),
            "{}: {text}",
            p.display()
        );
    }
    assert!(!stderr(&o).contains("identical"), "{}", stderr(&o));
    let prepared = dir.path().join("prep.csv");
    let o = run(&[
        "prepare",
        f.to_str().unwrap(),
        "-o",
        prepared.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&prepared).unwrap().to_lowercase();
    assert!(!text.contains("nan") && !text.contains("inf"), "{text}");
    let tx = dir.path().join("tx.csv");
    std::fs::write(&tx, "c,d,a\nx,2024-01-01,1e308\nx,2024-01-02,1e308\n").unwrap();
    let o = run(&[
        "rfm",
        tx.to_str().unwrap(),
        "--customer",
        "c",
        "--date",
        "d",
        "--amount",
        "a",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("line 3") && stderr(&o).contains("overflows"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_2_and_messages_name_the_right_flag() {
    for args in [
        vec!["sweep", SAMPLE, "--k", "2..1"],
        vec!["cluster", SAMPLE, "--k", "x", "-o", "o.csv"],
        vec!["sweep", SAMPLE, "--method", "kmedoids"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    let o = run(&["score", SAMPLE, "--labels", "nope"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("--labels") && !err.contains("--exclude"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("r.json");
    std::fs::write(&r, r#"{"version":"one","features":["age"]}"#).unwrap();
    let o = run(&["sweep", SAMPLE, "--recipe", r.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a number"), "{}", stderr(&o));
}
