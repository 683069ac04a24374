//! Rules of [`super::OutputPlan`], each on files made in a fresh temp dir.

use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

fn put(w: &mut dyn Write, text: &str) -> Result<()> {
    w.write_all(text.as_bytes())
        .map_err(|e| Error::io("<output>", e))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn message(e: &Error) -> String {
    e.to_string()
}

fn private_registry() -> &'static TempRegistry {
    Box::leak(Box::new(TempRegistry::new()))
}

/// Makes a device node `name` in `dir` (`mknod name c major minor`), or `None` when that is not allowed.
fn char_device(dir: &Path, name: &str, major: u32, minor: u32) -> Option<PathBuf> {
    let path = dir.join(name);
    let ok = Command::new("mknod")
        .arg(&path)
        .args(["c", &major.to_string(), &minor.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    // A filesystem mounted `nodev` accepts the node but refuses to open it.
    let usable = ok && std::fs::OpenOptions::new().write(true).open(&path).is_ok();
    if usable {
        Some(path)
    } else {
        println!("skipped: cannot make a usable character device {name} with mknod here");
        None
    }
}

#[test]
fn new_file_appears_only_at_commit_and_no_temp_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let mut plan = OutputPlan::new();
    let id = plan.add_output(&out, "the labelled CSV").unwrap();
    assert_eq!(plan.kind(id), Some(OutputKind::File));
    assert_eq!(names(dir.path()), [".out.csv.segscope-tmp"]);
    plan.write(id, |w| put(w, "a,b\n1,2\n")).unwrap();
    assert!(!out.exists());
    plan.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "a,b\n1,2\n");
    assert_eq!(names(dir.path()), ["out.csv"]);
}

#[test]
fn output_equal_to_input_by_dot_spelling_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("x.csv");
    std::fs::write(&input, "keep").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for spelled in [
        dir.path().join(".").join("x.csv"),
        dir.path().join("sub").join("..").join("x.csv"),
    ] {
        let mut plan = OutputPlan::new();
        plan.add_input(&input).unwrap();
        let e = plan.add_output(&spelled, "the labelled CSV").unwrap_err();
        assert!(matches!(e, Error::Output { .. }), "{e:?}");
        let m = message(&e);
        assert!(m.contains(&spelled.display().to_string()), "{m}");
        assert!(m.contains(&input.display().to_string()), "{m}");
        assert!(m.contains("the labelled CSV"), "{m}");
    }
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "keep");
    assert_eq!(names(dir.path()), ["sub", "x.csv"]);
}

#[test]
fn output_equal_to_input_by_hard_link_or_symlink_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("x.csv");
    std::fs::write(&input, "keep").unwrap();
    let hard = dir.path().join("hard.csv");
    std::fs::hard_link(&input, &hard).unwrap();
    let soft = dir.path().join("soft.csv");
    std::os::unix::fs::symlink("x.csv", &soft).unwrap();
    for out in [&hard, &soft] {
        let mut plan = OutputPlan::new();
        plan.add_input(&input).unwrap();
        let e = plan.add_output(out, "the profile").unwrap_err();
        assert!(message(&e).contains("same file as the input"), "{e}");
        // The other order: output first, then the input.
        let mut plan = OutputPlan::new();
        plan.add_output(out, "the profile").unwrap();
        let e = plan.add_input(&input).unwrap_err();
        assert!(message(&e).contains("same file as the input"), "{e}");
    }
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "keep");
    assert_eq!(names(dir.path()), ["hard.csv", "soft.csv", "x.csv"]);
}

#[test]
fn two_outputs_naming_one_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("out.csv");
    let mut plan = OutputPlan::new();
    plan.add_output(&new, "the labelled CSV").unwrap();
    let e = plan
        .add_output(&dir.path().join(".").join("out.csv"), "the profile")
        .unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("the profile") && m.contains("the labelled CSV"),
        "{m}"
    );
    drop(plan);
    // Existing files too, through a hard link.
    std::fs::write(&new, "old").unwrap();
    std::fs::hard_link(&new, dir.path().join("alias.csv")).unwrap();
    let mut plan = OutputPlan::new();
    plan.add_output(&new, "the labelled CSV").unwrap();
    assert!(
        plan.add_output(&dir.path().join("alias.csv"), "the profile")
            .is_err()
    );
    drop(plan);
    assert_eq!(names(dir.path()), ["alias.csv", "out.csv"]);
}

#[test]
fn fifo_is_written_in_place_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut s = String::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            s
        })
    };
    let mut plan = OutputPlan::new();
    let id = plan.add_output(&fifo, "the labelled CSV").unwrap();
    assert_eq!(plan.kind(id), Some(OutputKind::Stream));
    let big = "row\n".repeat(50_000);
    plan.write(id, |w| put(w, &big)).unwrap();
    plan.commit().unwrap();
    assert_eq!(reader.join().unwrap(), big);
    let t = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(t.is_fifo());
    assert_eq!(names(dir.path()), ["pipe"]);
}

#[test]
fn character_device_is_written_in_place_and_may_be_shared() {
    let dir = tempfile::tempdir().unwrap();
    // Never the real /dev/null: a node of our own with the same numbers (1, 3).
    let Some(null) = char_device(dir.path(), "null", 1, 3) else {
        return;
    };
    let mut plan = OutputPlan::new();
    let a = plan.add_output(&null, "the labelled CSV").unwrap();
    let b = plan.add_output(&null, "the profile").unwrap();
    assert_eq!(plan.kind(a), Some(OutputKind::Stream));
    plan.write(a, |w| put(w, "data")).unwrap();
    plan.write(b, |w| put(w, "more")).unwrap();
    plan.commit().unwrap();
    assert!(
        std::fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert_eq!(names(dir.path()), ["null"]);
}

#[test]
fn full_device_error_names_the_output_path() {
    let dir = tempfile::tempdir().unwrap();
    // /dev/full's numbers (1, 7); the real /dev/full is harmless to write to if mknod is not allowed.
    let full = char_device(dir.path(), "full", 1, 7).unwrap_or_else(|| PathBuf::from("/dev/full"));
    for size in [10, 1 << 20] {
        let mut plan = OutputPlan::new();
        let id = plan.add_output(&full, "the labelled CSV").unwrap();
        let text = "x".repeat(size);
        let e = plan.write(id, |w| put(w, &text)).unwrap_err();
        match &e {
            Error::Io { path, source } => {
                assert_eq!(path, &full);
                assert_eq!(source.raw_os_error(), Some(28), "{source}");
            }
            other => panic!("expected an I/O error, got {other:?}"),
        }
        assert!(message(&e).starts_with(&full.display().to_string()), "{e}");
        assert!(plan.commit().is_err());
    }
}

#[test]
fn csv_writer_errors_still_name_the_output_path() {
    let dir = tempfile::tempdir().unwrap();
    let full = char_device(dir.path(), "full", 1, 7).unwrap_or_else(|| PathBuf::from("/dev/full"));
    let mut plan = OutputPlan::new();
    let id = plan.add_output(&full, "the RFM CSV").unwrap();
    // A writer that wraps the I/O error in its own words, like `csv` does.
    let e = plan
        .write(id, |w| {
            let mut csv = csv::Writer::from_writer(w);
            for i in 0..100_000 {
                csv.write_record([i.to_string()])
                    .map_err(|e| Error::InvalidParameter(format!("cannot write: {e}")))?;
            }
            csv.flush().map_err(|e| Error::io("<output>", e))
        })
        .unwrap_err();
    assert!(
        matches!(&e, Error::Io { path, .. } if path == &full),
        "{e:?}"
    );
}

#[test]
fn symlink_is_followed_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("target.csv", &link).unwrap();
    let dangling = dir.path().join("dangling.csv");
    std::os::unix::fs::symlink("fresh.csv", &dangling).unwrap();
    let mut plan = OutputPlan::new();
    let a = plan.add_output(&link, "the labelled CSV").unwrap();
    let b = plan.add_output(&dangling, "the profile").unwrap();
    assert_eq!(plan.kind(b), Some(OutputKind::File));
    plan.write(a, |w| put(w, "new")).unwrap();
    plan.write(b, |w| put(w, "fresh")).unwrap();
    plan.commit().unwrap();
    for (l, t) in [(&link, "target.csv"), (&dangling, "fresh.csv")] {
        assert!(
            std::fs::symlink_metadata(l)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_link(l).unwrap(), Path::new(t));
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fresh.csv")).unwrap(),
        "fresh"
    );
    assert_eq!(
        names(dir.path()),
        ["dangling.csv", "fresh.csv", "link.csv", "target.csv"]
    );
}

#[test]
fn missing_or_wrong_folders_are_refused_at_plan_time() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no/such/dir/out.csv");
    let e = OutputPlan::new()
        .add_output(&out, "the labelled CSV")
        .unwrap_err();
    let m = message(&e);
    assert!(matches!(e, Error::Output { .. }));
    assert!(m.contains(&out.display().to_string()), "{m}");
    assert!(
        m.contains(&format!(
            "the folder {} does not exist",
            dir.path().join("no/such/dir").display()
        )),
        "{m}"
    );
    let file = dir.path().join("file.csv");
    std::fs::write(&file, "x").unwrap();
    let e = OutputPlan::new()
        .add_output(&file.join("out.csv"), "the profile")
        .unwrap_err();
    assert!(message(&e).contains("is not a folder"), "{e}");
    let e = OutputPlan::new()
        .add_output(&file.join("deeper/out.csv"), "the profile")
        .unwrap_err();
    assert!(message(&e).contains("is not a folder"), "{e}");
    let e = OutputPlan::new()
        .add_output(dir.path(), "the profile")
        .unwrap_err();
    assert!(message(&e).contains("it is a folder"), "{e}");
    let slash = PathBuf::from(format!("{}/new.csv/", dir.path().display()));
    let e = OutputPlan::new()
        .add_output(&slash, "the profile")
        .unwrap_err();
    assert!(message(&e).contains("folder separator"), "{e}");
    assert_eq!(names(dir.path()), ["file.csv"]);
}

#[test]
fn only_one_output_may_be_standard_output() {
    let mut plan = OutputPlan::new();
    let id = plan.add_output(Path::new("-"), "the labelled CSV").unwrap();
    assert_eq!(plan.kind(id), Some(OutputKind::Stdout));
    let e = plan.add_output(Path::new("-"), "the profile").unwrap_err();
    let m = message(&e);
    assert!(m.contains("already taken by the labelled CSV"), "{m}");
    plan.add_input(Path::new("-")).unwrap();
    plan.write(id, |_| Ok(())).unwrap();
    plan.commit().unwrap();
}

#[test]
fn failure_of_the_second_output_leaves_neither() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    std::fs::write(&a, "old a").unwrap();
    let b = dir.path().join("b.csv");
    let mut plan = OutputPlan::new();
    let ia = plan.add_output(&a, "the labelled CSV").unwrap();
    let ib = plan.add_output(&b, "the profile").unwrap();
    plan.write(ia, |w| put(w, "new a")).unwrap();
    let e = plan
        .write(ib, |w| {
            put(w, "half")?;
            Err(Error::InvalidParameter("profile failed".into()))
        })
        .unwrap_err();
    // A non-I/O error passes unchanged.
    assert!(matches!(&e, Error::InvalidParameter(m) if m == "profile failed"));
    assert!(plan.commit().is_err());
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
    assert_eq!(names(dir.path()), ["a.csv"]);
}

#[test]
fn an_output_never_written_blocks_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = OutputPlan::new();
    let a = plan
        .add_output(&dir.path().join("a.csv"), "the labelled CSV")
        .unwrap();
    plan.add_output(&dir.path().join("b.csv"), "the profile")
        .unwrap();
    plan.write(a, |w| put(w, "a")).unwrap();
    let e = plan.commit().unwrap_err();
    assert!(message(&e).contains("the profile was planned but never written"));
    assert!(names(dir.path()).is_empty());
}

#[test]
fn stale_temp_from_a_killed_run_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".out.csv.segscope-tmp");
    std::fs::write(&stale, "junk from a killed run, longer than the new data").unwrap();
    write_file(&dir.path().join("out.csv"), &[], "the labelled CSV", |w| {
        put(w, "ok")
    })
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "ok"
    );
    assert_eq!(names(dir.path()), ["out.csv"]);
}

#[test]
fn messages_name_the_user_path_never_the_temp() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let mut plan = OutputPlan::new();
    let id = plan.add_output(&out, "the labelled CSV").unwrap();
    let e = plan
        .write(id, |_| {
            Err(Error::io(
                "<output>",
                std::io::Error::other("the disk went away"),
            ))
        })
        .unwrap_err();
    let m = message(&e);
    assert_eq!(m, format!("{}: the disk went away", out.display()));
    assert!(!m.contains(TEMP_SUFFIX));
    drop(plan);
    assert!(names(dir.path()).is_empty());
}

#[test]
fn replaced_file_keeps_its_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_file(&out, &[], "the profile", |w| put(w, "new")).unwrap();
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
}

#[test]
fn write_file_protects_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "keep").unwrap();
    let e = write_file(&input, &[&input], "the RFM CSV", |w| put(w, "lost")).unwrap_err();
    assert!(matches!(e, Error::Output { .. }));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "keep");
    let e = write_file(&input, &[&dir.path().join("missing.csv")], "x", |w| {
        put(w, "lost")
    })
    .unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert_eq!(names(dir.path()), ["in.csv"]);
}

#[test]
fn abort_removes_temps_and_cancels_writes_and_commits() {
    let dir = tempfile::tempdir().unwrap();
    let registry = private_registry();
    let mut plan = OutputPlan::with_registry(registry);
    let a = plan
        .add_output(&dir.path().join("a.csv"), "the labelled CSV")
        .unwrap();
    let b = plan
        .add_output(&dir.path().join("b.csv"), "the profile")
        .unwrap();
    assert_eq!(registry.live().len(), 2);
    plan.write(a, |w| put(w, "a")).unwrap();
    assert_eq!(registry.abort(), 2);
    assert!(names(dir.path()).is_empty());
    assert!(matches!(
        plan.write(b, |w| put(w, "b")),
        Err(Error::Cancelled)
    ));
    let mut plan = OutputPlan::with_registry(registry);
    let e = plan
        .add_output(&dir.path().join("c.csv"), "the recipe")
        .unwrap_err();
    assert!(matches!(e, Error::Cancelled));
    assert!(names(dir.path()).is_empty());
}

#[test]
fn abort_after_writing_makes_the_commit_rename_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let registry = private_registry();
    let mut plan = OutputPlan::with_registry(registry);
    let a = plan
        .add_output(&dir.path().join("a.csv"), "the labelled CSV")
        .unwrap();
    plan.write(a, |w| put(w, "a")).unwrap();
    registry.abort();
    assert!(matches!(plan.commit(), Err(Error::Cancelled)));
    assert!(names(dir.path()).is_empty());
    assert!(registry.live().is_empty());
}

#[test]
fn a_long_file_name_gets_a_shortened_temp_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("{}.csv", "n".repeat(247)));
    let mut plan = OutputPlan::new();
    let id = plan.add_output(&out, "the labelled CSV").unwrap();
    let temp = names(dir.path()).pop().unwrap();
    assert_eq!(temp.len(), 255);
    assert!(
        temp.starts_with(".nnn") && temp.ends_with(TEMP_SUFFIX),
        "{temp}"
    );
    plan.write(id, |w| put(w, "ok")).unwrap();
    plan.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "ok");
    assert_eq!(names(dir.path()).len(), 1);
}

#[test]
fn a_temp_replaced_by_another_run_is_neither_renamed_nor_removed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "old").unwrap();
    let mut first = OutputPlan::new();
    let id = first.add_output(&out, "the labelled CSV").unwrap();
    first.write(id, |w| put(w, "first")).unwrap();
    // A second run on the same output takes the temp name over (removing ours as stale).
    let mut second = OutputPlan::new();
    let id2 = second.add_output(&out, "the labelled CSV").unwrap();
    let e = first.commit().unwrap_err();
    assert!(message(&e).contains("another segscope"), "{e}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    // The first run's clean-up left the second run's temp alone.
    assert_eq!(names(dir.path()), [".out.csv.segscope-tmp", "out.csv"]);
    second.write(id2, |w| put(w, "second")).unwrap();
    second.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "second");
    assert_eq!(names(dir.path()), ["out.csv"]);
}

#[test]
fn finish_writes_files_before_streams_and_streams_before_renames() {
    let dir = tempfile::tempdir().unwrap();
    let full = char_device(dir.path(), "full", 1, 7).unwrap_or_else(|| PathBuf::from("/dev/full"));
    let file = dir.path().join("profile.csv");
    // The stream is listed first, but the failing file output runs first: the stream is never touched.
    let mut plan = OutputPlan::new();
    let s = plan.add_output(&full, "the labelled CSV").unwrap();
    let f = plan.add_output(&file, "the profile").unwrap();
    let e = plan
        .finish(vec![
            (s, Box::new(|w| put(w, "labels"))),
            (
                f,
                Box::new(|_| Err(Error::InvalidParameter("no profile".into()))),
            ),
        ])
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidParameter(m) if m == "no profile"),
        "{e:?}"
    );
    // The stream fails after the file was written: the file is not put in place.
    let mut plan = OutputPlan::new();
    let s = plan.add_output(&full, "the labelled CSV").unwrap();
    let f = plan.add_output(&file, "the profile").unwrap();
    let e = plan
        .finish(vec![
            (s, Box::new(|w| put(w, "labels"))),
            (f, Box::new(|w| put(w, "profile"))),
        ])
        .unwrap_err();
    assert!(
        matches!(&e, Error::Io { path, .. } if path == &full),
        "{e:?}"
    );
    assert!(!file.exists());
    // Both fine: the file appears.
    let mut plan = OutputPlan::new();
    let f = plan.add_output(&file, "the profile").unwrap();
    plan.finish(vec![(f, Box::new(|w| put(w, "profile")))])
        .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "profile");
}
