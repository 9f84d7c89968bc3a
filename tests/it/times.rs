//! Times typed and shown in London time (SPEC section 16): `--as-of`, `--since`, `--until` and
//! `publish --at` read a date or a date and a time as GMT or BST as the clocks were, refuse the
//! hour the clocks skip and ask for an offset in the hour they repeat; impossible dates say why;
//! times shown to people name their zone, JSON stays UTC.
use crate::testenv::{bytes, TestEnv};

/// 2026-07-01T08:30:00Z, 09:30 BST
const SUMMER: i64 = 1_782_894_600;

#[test]
fn the_forms_of_a_time_are_all_accepted() {
    let env = TestEnv::init();
    for at in [
        "2026-12-06",
        "2026-12-06T09:30",
        "2026-12-06T09:30:15",
        "2026-12-05 23:54:00",
        "2026-12-05 23:54",
        "2026-07-01 09:30 BST",
        "2026-12-06 09:30 GMT",
        "2026-12-06 09:30 UTC",
        "2026-12-06T09:30Z",
        "2026-12-06T09:30:00+01:00",
        " 2026-12-06 ",
    ] {
        env.ok(&["list", "--as-of", at]);
        env.ok(&["history", "--since", at, "--until", at]);
        env.ok(&["show", "kent-police", "--as-of", at]);
        env.ok(&["page", "show", "--as-of", at]);
    }
}

#[test]
fn a_time_is_london_time_in_summer_and_in_winter() {
    let env = TestEnv::init();
    env.set_epoch(SUMMER);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let ids = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["history", "--json", "--action", "set-url"];
        all.extend_from_slice(args);
        env.json(&all)["changes"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };
    // 09:30 in London is 08:30 UTC in July
    assert_eq!(ids(&["--since", "2026-07-01 09:30"]).len(), 1);
    assert_eq!(ids(&["--since", "2026-07-01 09:31"]).len(), 0);
    assert_eq!(ids(&["--until", "2026-07-01T09:29:59"]).len(), 0);
    assert_eq!(ids(&["--since", "2026-07-01T08:30Z"]).len(), 1);
    assert_eq!(ids(&["--since", "2026-07-01T08:31Z"]).len(), 0);
    // a date: from its London midnight (23:00 UTC the day before), until its end
    assert_eq!(ids(&["--since", "2026-07-01", "--until", "2026-07-01"]).len(), 1);
    assert_eq!(ids(&["--until", "2026-06-30"]).len(), 0);
    // in winter London is UTC: the seed's changes at 16:00 UTC are at 16:00
    let winter =
        env.json(&["history", "--json", "--since", "2025-11-24 16:00", "--until", "2025-11-24 16:00"]);
    assert_eq!(winter["changes"].as_array().unwrap().len(), 46);
    let before = env.json(&["history", "--json", "--until", "2025-11-24 15:59:59"]);
    assert_eq!(before["changes"].as_array().unwrap().len(), 0);
}

#[test]
fn the_hour_the_clocks_skip_is_refused_and_the_hour_they_repeat_asks_for_an_offset() {
    let env = TestEnv::init();
    let before = bytes(&env.db);
    let err = env.fails(&["list", "--as-of", "2026-03-29 01:30"], 2);
    assert!(
        err.starts_with("error: 2026-03-29 01:30 does not exist in London: the clocks go forward"),
        "{err}"
    );
    let err = env.fails(&["history", "--until", "2026-10-25T01:30"], 2);
    assert!(err.contains("is ambiguous in London"), "{err}");
    assert!(
        err.contains("hint: add the offset: 2026-10-25T01:30+01:00 (BST, the first) or 2026-10-25T01:30Z"),
        "{err}"
    );
    // either side of the gap and the repeat, and with an offset or a zone, it is a time
    for ok in [
        "2026-03-29 00:59",
        "2026-03-29 02:00",
        "2026-10-25T01:30+01:00",
        "2026-10-25 01:30 GMT",
        "2026-10-25 02:00",
    ] {
        env.ok(&["list", "--as-of", ok]);
    }
    let err = env.fails(&["list", "--as-of", "2026-12-06 09:30 BST"], 2);
    assert!(err.contains("BST is not London's time then: on 2026-12-06 London keeps GMT"), "{err}");
    assert_eq!(bytes(&env.db), before, "nothing changed");
}

#[test]
fn an_impossible_date_says_why() {
    let env = TestEnv::init();
    let before = bytes(&env.db);
    for (args, want) in [
        (
            &["history", "--since", "2026-09-31"][..],
            "error: there is no date \"2026-09-31\": September has 30 days",
        ),
        (&["list", "--as-of", "2026-02-29"][..], "February 2026 has 28 days"),
        (&["list", "--as-of", "2026-13-01"][..], "there is no month 13"),
        (&["list", "--as-of", "2026-04-00"][..], "there is no day 00"),
        (&["list", "--as-of", "2026-12-06 24:00"][..], "there is no hour 24"),
        (&["list", "--as-of", "2026-12-06 09:60"][..], "there is no minute 60"),
        (&["review", "kent-police", "--data-to", "2025-09-31"][..], "September has 30 days"),
        (&["review", "kent-police", "--data-to", "2025-13"][..], "there is no month 13"),
        (&["list", "--as-of", "next tuesday"][..], "is not understood"),
        (&["list", "--as-of", "<script>"][..], "is not understood"),
        (&["list", "--as-of", "2026-12-06T09:30 CET"][..], "is not understood"),
    ] {
        let err = env.fails(args, 2);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // a leap year's February has 29 days
    env.ok(&["list", "--as-of", "2024-02-29"]);
    // as long as one argument may be (the OS refuses 10 MB)
    let long = format!("2026-12-06 {}", "9".repeat(100_000));
    let err = env.fails(&["list", "--as-of", &long], 2);
    assert!(err.contains("is not understood") && err.len() < 5_000, "a long time: {} bytes", err.len());
    assert_eq!(bytes(&env.db), before, "nothing changed");
}

#[test]
fn times_shown_to_people_name_their_zone_and_json_stays_utc() {
    let env = TestEnv::init();
    env.ok(&["note", "add", "--force", "kent-police", "winter note"]);
    env.set_epoch(SUMMER);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["review", "kent-police"]);
    let history = env.ok(&["history", "--limit", "3"]);
    assert!(history.starts_with("ID  AT                       EDITOR"), "{history}");
    assert!(history.contains("2026-07-01 09:30:00 BST  alice   review"), "{history}");
    assert!(history.contains("2025-11-24 16:00:00 GMT  alice   add-note"), "{history}");
    let show = env.ok(&["show", "kent"]);
    assert!(show.contains("  last reviewed: 2026-07-01 09:30:00 BST\n"), "{show}");
    assert!(show.contains("  2026-07-01 09:30:00 BST by alice\n"), "{show}");
    assert!(
        show.contains("2025-11-24 16:00:00 GMT public") || show.contains("2025-11-24 16:00:00 GMT internal"),
        "{show}"
    );
    assert!(env.ok(&["note", "list"]).contains("2025-11-24 16:00:00 GMT"));
    let list = env.ok(&["list"]);
    assert!(list.lines().any(|l| l.starts_with("Kent Police") && l.contains("2026-07-01")), "{list}");
    // programs get RFC 3339 UTC
    let json = env.json(&["history", "--json", "--limit", "1"]);
    assert_eq!(json["changes"][0]["at"], "2026-07-01T08:30:00Z");
    let json = env.json(&["show", "kent-police", "--json"]);
    assert_eq!(json["reviews"][0]["at"], "2026-07-01T08:30:00Z");
    // what is shown can be typed back
    let back = env.json(&[
        "history",
        "--json",
        "--since",
        "2026-07-01 09:30:00 BST",
        "--until",
        "2026-07-01 09:30:00 BST",
    ]);
    assert_eq!(back["changes"].as_array().unwrap().len(), 2);
}

#[test]
fn a_publication_is_scheduled_in_london_time() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let out = env.ok(&["publish", "--at", "2025-11-25 09:30"]);
    assert!(out.contains("scheduled the pending content to go live at 2025-11-25 09:30:00 GMT"), "{out}");
    assert!(env.ok(&["status"]).contains("Scheduled:    to go live at 2025-11-25 09:30:00 GMT"));
    env.ok(&["publish", "--cancel-schedule"]);
    let out = env.ok(&["publish", "--at", "2026-07-01T10:00"]);
    assert!(out.contains("to go live at 2026-07-01 10:00:00 BST"), "{out}");
}

/// A time with a letter beyond ASCII anywhere in it (where an offset or the clock's digits
/// go, too) is not understood: exit 2, one error, nothing changed, never a panic.
#[test]
fn a_time_holding_letters_beyond_ascii_is_refused_not_fatal() {
    let env = TestEnv::init();
    for time in [
        "2026-01-01T09:3€0000",
        "2026-01-01T09:30+0€:00",
        "2026-01-01 09:30€",
        "２026-01-01",
        "2026-01-01T09:30:00Ｚ",
    ] {
        let err = env.fails(&["list", "--as-of", time], 2);
        assert!(err.contains("is not understood"), "{time}: {err}");
        let err = env.fails(&["publish", "--at", time], 2);
        assert!(err.contains("is not understood"), "{time}: {err}");
    }
    assert_eq!(env.change_count(), 46);
}

/// A moment before the audit log's first change: `list --as-of` answers with no forces and says
/// on stderr when the log starts; `show --as-of` says so in its hint.
#[test]
fn a_moment_before_the_log_says_when_the_log_starts() {
    let env = TestEnv::init();
    let run = env.run(&["list", "--as-of", "2001-01-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "the header alone: {}", run.stdout);
    assert!(
        run.stderr.starts_with("warning: 2001-01-01 00:00:00 GMT is before the audit log's first change (")
            && run.stderr.ends_with("): nothing was recorded then\n"),
        "{}",
        run.stderr
    );
    assert_eq!(env.json(&["list", "--as-of", "2001-01-01", "--json"])["forces"], serde_json::json!([]));
    let err = env.fails(&["show", "kent-police", "--as-of", "2001-01-01"], 2);
    assert!(
        err.contains("hint: the audit log starts at ") && err.contains("nothing was recorded before then"),
        "{err}"
    );
    // a moment after the first change says nothing more
    let run = env.run(&["list", "--as-of", "9999-12-31"]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}
