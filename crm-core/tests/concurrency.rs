//! Several handles on one file, in threads and in separate processes, lose nothing.
//!
//! The process test re-runs this test binary as its own children: `writer_child` is ignored in
//! normal runs and does its work only when the parent sets `CRM_CHILD_DB`.

use std::process::{Command, Stdio};

use crm_core::{Crm, Filter, NewCustomer, OpenOptions, Query};

const PER_WRITER: usize = 300;

/// Writes `PER_WRITER` customers one transaction at a time, then a batch of the same size.
fn write_customers(path: &std::path::Path, who: &str) {
    let crm = Crm::open(path, OpenOptions::default()).unwrap();
    for i in 0..PER_WRITER {
        crm.customers()
            .add(
                NewCustomer::new(format!("{who} {i}"))
                    .external_id(format!("{who}-{i}"))
                    .tag(who),
            )
            .unwrap();
    }
    let batch = (0..PER_WRITER)
        .map(|i| NewCustomer::new(format!("{who} batch {i}")).tag(who))
        .collect();
    crm.customers().add_many(batch).unwrap();
}

#[test]
#[ignore = "run by two_processes_write_one_file as a child process"]
fn writer_child() {
    if let (Ok(db), Ok(who)) = (
        std::env::var("CRM_CHILD_DB"),
        std::env::var("CRM_CHILD_NAME"),
    ) {
        write_customers(std::path::Path::new(&db), &who);
    }
}

#[test]
fn two_processes_write_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    // Create the store first so both children race on writes, not on creation.
    drop(Crm::open(&path, OpenOptions::default()).unwrap());
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["alpha", "beta"]
        .iter()
        .map(|who| {
            Command::new(&exe)
                .args(["--exact", "writer_child", "--ignored", "--test-threads=1"])
                .env("CRM_CHILD_DB", &path)
                .env("CRM_CHILD_NAME", who)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer process failed");
    }
    let crm = Crm::open(&path, OpenOptions::default()).unwrap();
    for who in ["alpha", "beta"] {
        assert_eq!(
            crm.customers().count(&Filter::has_tag(who)).unwrap(),
            2 * PER_WRITER as i64,
            "{who}"
        );
        let last = crm
            .customers()
            .get_by_external_id(&format!("{who}-{}", PER_WRITER - 1))
            .unwrap();
        assert_eq!(last.name, format!("{who} {}", PER_WRITER - 1));
    }
    let ids: Vec<i64> = crm
        .customers()
        .find(&Query::default())
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids.len(), 4 * PER_WRITER);
}

#[test]
fn one_handle_per_thread_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threads.db");
    drop(Crm::open(&path, OpenOptions::default()).unwrap());
    std::thread::scope(|s| {
        for who in ["t1", "t2", "t3"] {
            let path = &path;
            s.spawn(move || write_customers(path, who));
        }
    });
    let crm = Crm::open(&path, OpenOptions::default()).unwrap();
    assert_eq!(
        crm.customers().count(&Filter::All).unwrap(),
        6 * PER_WRITER as i64
    );
}

#[test]
fn a_handle_moves_between_threads() {
    let crm = Crm::open_in_memory().unwrap();
    crm.customers().add(NewCustomer::new("before")).unwrap();
    let crm = std::thread::spawn(move || {
        crm.customers().add(NewCustomer::new("inside")).unwrap();
        crm
    })
    .join()
    .unwrap();
    assert_eq!(crm.customers().count(&Filter::All).unwrap(), 2);
}
