//! A link is broken when it is known to be: at once on an answer that means it, and only after a
//! failure that may pass has lasted an hour (steps of time through `SOURCE_DATE_EPOCH`).
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use serde_json::Value;

use super::{check, problem, set_url, shown, Reply, Server};
use crate::testenv::{TestEnv, EPOCH};

/// The force slugs `status --json` lists under `key` (`broken`, `caution`).
fn listed(env: &TestEnv, key: &str) -> Vec<String> {
    let status = env.json(&["status", "--json"]);
    status[key].as_array().unwrap().iter().map(|f| f["slug"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn an_answer_that_means_broken_is_broken_at_once_and_a_failure_that_may_pass_after_an_hour() {
    let env = TestEnv::init();
    let answer = Arc::new(AtomicU16::new(503));
    let now = answer.clone();
    let flaky = Server::start("127.0.0.1", move |_, _| Reply::Status(now.load(Ordering::SeqCst)));
    let codes = Server::start("127.0.0.1", |path, _| match path {
        "/one" => Reply::Redirect(302, "/two".into()),
        "/two" => Reply::Redirect(302, "/one".into()),
        p => Reply::Status(p[1..].parse().unwrap()),
    });
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    set_url(&env, "kent-police", &flaky.url("/data"));
    set_url(&env, "essex-police", &codes.url("/404"));
    set_url(&env, "surrey-police", &codes.url("/410"));
    set_url(&env, "sussex-police", &codes.url("/one"));
    set_url(&env, "dorset-police", &format!("http://127.0.0.1:{closed}/data"));

    // the first check: 404, 410 and a redirect loop are broken at once; a 503 and a refused
    // connection may pass, and are caution, failing since now
    let (code, results) = check(&env, &[]);
    assert_eq!(code, 1, "broken links exit 1");
    for (force, problem_is) in [
        ("essex-police", "Page not found (404)"),
        ("surrey-police", "Page gone (410)"),
        ("sussex-police", &format!("Redirect loop back to {}", codes.url("/one"))),
    ] {
        let r = &results[force];
        assert_eq!((r["status"].as_str(), problem(r)), (Some("broken"), problem_is), "{force}: {r}");
        assert_eq!(r["failing_since"], Value::Null, "{force}");
    }
    let kent = &results["kent-police"];
    assert_eq!(kent["status"], "caution", "{kent}");
    assert_eq!(kent["http_status"], 503);
    assert_eq!(problem(kent), "Server error (503) after 3 tries; failing since 2025-11-24 16:00:00 GMT");
    assert_eq!(kent["failing_since"], "2025-11-24T16:00:00Z");
    let dorset = &results["dorset-police"];
    assert_eq!(dorset["status"], "caution", "{dorset}");
    assert_eq!(
        problem(dorset),
        "Could not connect: connection refused after 3 tries; failing since 2025-11-24 16:00:00 GMT"
    );
    assert_eq!(listed(&env, "caution"), ["dorset-police", "kent-police"]);
    let shown_text = env.ok(&["show", "kent-police"]);
    assert!(shown_text.contains("  link:          caution\n"), "{shown_text}");
    assert!(shown_text.contains("failing since 2025-11-24 16:00:00 GMT"), "{shown_text}");

    // publishing is refused over the broken links only; caution does not block it
    let err = env.fails(&["publish", "--dry-run"], 1);
    assert!(
        err.contains("Essex Police") && err.contains("Surrey Police") && err.contains("Sussex Police"),
        "{err}"
    );
    assert!(!err.contains("Kent Police") && !err.contains("Dorset Police"), "{err}");
    for force in ["essex-police", "surrey-police", "sussex-police"] {
        env.ok(&["clear-url", force]);
    }
    env.ok(&["publish", "--dry-run"]);
    env.ok(&["publish"]);

    // half an hour on, still failing: still caution, failing since the first failure
    env.set_epoch(EPOCH + 1_800);
    let (code, results) = check(&env, &[]);
    assert_eq!(code, 0, "nothing is broken yet");
    for force in ["kent-police", "dorset-police"] {
        let r = &results[force];
        assert_eq!(r["status"], "caution", "{force}: {r}");
        assert_eq!(r["failing_since"], "2025-11-24T16:00:00Z", "{force}");
        assert_eq!(r["checked_at"], "2025-11-24T16:30:00Z", "{force}");
        assert!(problem(r).ends_with("; failing since 2025-11-24 16:00:00 GMT"), "{force}: {r}");
    }

    // an hour after the first failure, a second confirms it: broken, and publishing is refused
    env.set_epoch(EPOCH + 3_600);
    let (code, results) = check(&env, &["--force", "kent-police"]);
    assert_eq!(code, 1);
    let kent = &results["kent-police"];
    assert_eq!(kent["status"], "broken", "{kent}");
    assert_eq!(problem(kent), "Server error (503) after 3 tries; failing since 2025-11-24 16:00:00 GMT");
    assert_eq!(listed(&env, "broken"), ["kent-police"]);
    assert_eq!(listed(&env, "caution"), ["dorset-police"], "a check of one link leaves the rest");
    env.ok(&["set-url", "gwent-police", "https://www.gwent.police.uk/use-of-force"]);
    let err = env.fails(&["publish", "--dry-run"], 1);
    assert!(err.contains("Kent Police") && !err.contains("Dorset Police"), "{err}");
    let (code, results) = check(&env, &["--force", "dorset-police"]);
    assert_eq!((code, results["dorset-police"]["status"].as_str()), (1, Some("broken")));

    // the site recovers: ok, and the failing spell is over
    answer.store(200, Ordering::SeqCst);
    env.set_epoch(EPOCH + 4_000);
    let (code, results) = check(&env, &["--force", "kent-police"]);
    assert_eq!(code, 0);
    let kent = &results["kent-police"];
    assert_eq!(kent["status"], "ok", "{kent}");
    assert_eq!((&kent["failing_since"], &kent["problem"]), (&Value::Null, &Value::Null), "{kent}");
    assert_eq!(shown(&env, "kent-police")["failing_since"], Value::Null);

    // a new failure starts a new spell: caution again, failing since now
    answer.store(503, Ordering::SeqCst);
    env.set_epoch(EPOCH + 5_000);
    let (code, results) = check(&env, &["--force", "kent-police"]);
    assert_eq!(code, 0);
    let kent = &results["kent-police"];
    assert_eq!(kent["status"], "caution", "{kent}");
    assert_eq!(kent["failing_since"], "2025-11-24T17:23:20Z");

    // a new URL is a new link: its failures start their own spell
    set_url(&env, "kent-police", &flaky.url("/other"));
    env.set_epoch(EPOCH + 9_000);
    let (_, results) = check(&env, &["--force", "kent-police"]);
    assert_eq!(results["kent-police"]["status"], "caution");
    assert_eq!(results["kent-police"]["failing_since"], "2025-11-24T18:30:00Z");
}

#[test]
fn a_probe_address_that_cannot_be_used_is_refused_before_any_link_is_checked() {
    let env = TestEnv::init();
    let server = Server::start("127.0.0.1", |_, _| Reply::Status(200));
    set_url(&env, "kent-police", &server.url("/data"));
    let before = crate::testenv::bytes(&env.db);
    let long = format!("{}:443", "a".repeat(100_000));
    for bad in ["www.gov.uk", "javascript:alert(1)", "<script>:1", "a\nb:443", "wwв.gov.uk:443", "x:0", &long]
    {
        let run: crate::testenv::Run = env
            .command()
            .args(["check-links", "--allow-private"])
            .env("UOF_ADMIN_PROBE", bad)
            .output()
            .unwrap()
            .into();
        assert_eq!(run.code, 2, "{bad:.40}: {}", run.stderr);
        crate::testenv::assert_error_shape(&run.stderr);
        assert_eq!(
            run.stderr,
            "error: UOF_ADMIN_PROBE is not a HOST:PORT to connect to\nhint: set it to a host and port such as www.gov.uk:443, or unset it\n"
        );
    }
    assert_eq!(server.hits("/data"), 0, "no link was checked");
    assert_eq!(crate::testenv::bytes(&env.db), before, "nothing stored");
    // an empty one is unset
    let run =
        env.command().args(["check-links", "--allow-private"]).env("UOF_ADMIN_PROBE", "").output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
}
