//! `admin check-links` against real HTTP servers on 127.0.0.1 that each test starts and stops.
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::testenv::TestEnv;

mod concurrency;
mod confirm;

/// What a test server does with a request, given how many times its path has been asked for
/// (1 for the first).
#[derive(Clone)]
enum Reply {
    Status(u16),
    Redirect(u16, String),
    /// Answer 200 after a pause.
    Slow(Duration),
    /// Never answer; hold the connection until the server stops.
    Hang,
    /// A redirect after a pause.
    SlowRedirect(Duration, String),
    /// 200 with these headers and this body.
    Page(Vec<(&'static str, String)>, String),
    /// A page with validators: `304` when the request carries a matching `If-None-Match` or
    /// `If-Modified-Since`, else 200 with `ETag` / `Last-Modified` and the body.
    Conditional {
        etag: Option<String>,
        last_modified: Option<String>,
        body: String,
    },
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name, value).unwrap()
}

type Route = Arc<dyn Fn(&str, usize) -> Reply + Send + Sync>;
/// Each request's path and headers.
type Log = Arc<Mutex<Vec<(String, HashMap<String, String>)>>>;

/// An HTTP server on 127.0.0.1 answering each request on its own thread, counting requests
/// per path and the most it was answering at once. Stops when dropped.
struct Server {
    base: String,
    server: Arc<tiny_http::Server>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    most_at_once: Arc<AtomicUsize>,
    /// Every request: its path and headers (names lower-cased), in order of arrival.
    requests: Log,
}

impl Server {
    fn start(ip: &str, route: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Server {
        let server = Arc::new(tiny_http::Server::http((ip, 0)).expect("listen"));
        let base = format!("http://{}", server.server_addr().to_ip().expect("ip address"));
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let most_at_once = Arc::new(AtomicUsize::new(0));
        let requests: Log = Arc::default();
        let route: Route = Arc::new(route);
        let (srv, counts, most, log) = (server.clone(), hits.clone(), most_at_once.clone(), requests.clone());
        std::thread::spawn(move || {
            let now = Arc::new(AtomicUsize::new(0));
            for request in srv.incoming_requests() {
                let path = request.url().to_string();
                let headers: HashMap<String, String> = request
                    .headers()
                    .iter()
                    .map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), h.value.as_str().to_string()))
                    .collect();
                log.lock().unwrap().push((path.clone(), headers.clone()));
                let n = {
                    let mut counts = counts.lock().unwrap();
                    let n = counts.entry(path.clone()).or_default();
                    *n += 1;
                    *n
                };
                let (route, now, most) = (route.clone(), now.clone(), most.clone());
                std::thread::spawn(move || {
                    let open = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(open, Ordering::SeqCst);
                    let response = match route(&path, n) {
                        Reply::Status(code) => {
                            tiny_http::Response::from_string("body").with_status_code(code)
                        }
                        Reply::Redirect(code, to) => tiny_http::Response::from_string("")
                            .with_status_code(code)
                            .with_header(tiny_http::Header::from_bytes("Location", to).unwrap()),
                        Reply::Slow(pause) => {
                            std::thread::sleep(pause);
                            tiny_http::Response::from_string("at last")
                        }
                        Reply::SlowRedirect(pause, to) => {
                            std::thread::sleep(pause);
                            tiny_http::Response::from_string("")
                                .with_status_code(302)
                                .with_header(tiny_http::Header::from_bytes("Location", to).unwrap())
                        }
                        Reply::Hang => {
                            std::thread::sleep(Duration::from_secs(30));
                            tiny_http::Response::from_string("too late")
                        }
                        Reply::Page(extra, body) => {
                            let mut response = tiny_http::Response::from_string(body);
                            for (name, value) in extra {
                                response.add_header(header(name, &value));
                            }
                            response
                        }
                        Reply::Conditional { etag, last_modified, body } => {
                            let asked = |name: &str, have: &Option<String>| {
                                have.is_some() && headers.get(name) == have.as_ref()
                            };
                            if asked("if-none-match", &etag) || asked("if-modified-since", &last_modified) {
                                tiny_http::Response::from_string("").with_status_code(304)
                            } else {
                                let mut response = tiny_http::Response::from_string(body);
                                if let Some(etag) = etag {
                                    response.add_header(header("ETag", &etag));
                                }
                                if let Some(date) = last_modified {
                                    response.add_header(header("Last-Modified", &date));
                                }
                                response
                            }
                        }
                    };
                    now.fetch_sub(1, Ordering::SeqCst);
                    let _ = request.respond(response);
                });
            }
        });
        Server { base, server, hits, most_at_once, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// The headers of the requests for `path`, in order.
    fn requests(&self, path: &str) -> Vec<HashMap<String, String>> {
        self.requests.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, h)| h.clone()).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

fn set_url(env: &TestEnv, force: &str, url: &str) {
    let extra: &[&str] = if url.starts_with("http:") { &["--allow-http"] } else { &[] };
    env.ok(&[&["set-url", force, url][..], extra].concat());
}

/// Run check-links with `--json` and `--allow-private` (the test servers are on loopback) and
/// return (exit code, results by force slug).
fn check(env: &TestEnv, args: &[&str]) -> (i32, HashMap<String, Value>) {
    let run = env.run(&[&["check-links", "--json", "--allow-private"][..], args].concat());
    let doc: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}{}", run.stdout, run.stderr));
    let results = doc["results"].as_array().expect("results").iter();
    (run.code, results.map(|r| (r["force"].as_str().unwrap().to_string(), r.clone())).collect())
}

fn problem(result: &Value) -> &str {
    result["problem"].as_str().unwrap_or("")
}

#[test]
fn every_answer_gets_the_status_problem_and_fix_the_spec_names() {
    let env = TestEnv::init();
    let ok = Server::start("127.0.0.1", |_, _| Reply::Status(200));
    let chain = Server::start("127.0.0.1", |path, _| match path {
        "/a" => Reply::Redirect(301, "/b".into()),
        "/b" => Reply::Redirect(308, "/c".into()),
        _ => Reply::Status(200),
    });
    let temporary = Server::start("127.0.0.1", |path, _| match path {
        "/old" => Reply::Redirect(302, "/new".into()),
        p if p.starts_with("/to-closed-") => {
            Reply::Redirect(302, format!("http://127.0.0.1:{}/gone", &p["/to-closed-".len()..]))
        }
        _ => Reply::Status(200),
    });
    let looping = Server::start("127.0.0.1", |path, _| match path {
        "/one" => Reply::Redirect(302, "/two".into()),
        _ => Reply::Redirect(302, "/one".into()),
    });
    let endless = Server::start("127.0.0.1", |path, _| {
        let n: u32 = path.trim_start_matches("/r").parse().unwrap_or(0);
        Reply::Redirect(302, format!("/r{}", n + 1))
    });
    let codes = Server::start("127.0.0.1", |path, _| Reply::Status(path[1..].parse().unwrap()));
    let codes2 = Server::start("127.0.0.1", |path, _| Reply::Status(path[1..].parse().unwrap()));
    let codes3 = Server::start("127.0.0.1", |path, _| Reply::Status(path[1..].parse().unwrap()));
    let moved_then_temporary = Server::start("127.0.0.1", |path, _| match path {
        "/old" => Reply::Redirect(301, "/moved".into()),
        "/moved" => Reply::Redirect(302, "/today".into()),
        _ => Reply::Status(200),
    });
    // each hop answers in 0.6 s: with --timeout 1 the second hop runs out of the try's time
    let stalling = Server::start("127.0.0.1", |path, _| match path {
        "/h0" => Reply::SlowRedirect(Duration::from_millis(600), "/h1".into()),
        "/h1" => Reply::SlowRedirect(Duration::from_millis(600), "/h2".into()),
        _ => Reply::Status(200),
    });
    let flaky = Server::start("127.0.0.1", |_, n| Reply::Status(if n == 1 { 500 } else { 200 }));
    let failing = Server::start("127.0.0.1", |_, _| Reply::Status(503));
    let silent = Server::start("127.0.0.1", |_, _| Reply::Hang);
    let slow = Server::start("127.0.0.1", |_, _| Reply::Slow(Duration::from_millis(5_500)));
    // a server that speaks only plain HTTP: a TLS client's hello gets a plain-text 400 back
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let plain_port = plain.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut stream in plain.incoming().flatten() {
            let _ = stream.read(&mut [0; 1024]);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };

    let cases = [
        ("kent-police", ok.url("/data")),
        ("essex-police", chain.url("/a")),
        ("surrey-police", temporary.url("/old")),
        ("sussex-police", looping.url("/one")),
        ("dorset-police", endless.url("/r0")),
        ("merseyside-police", codes.url("/404")),
        ("gwent-police", codes.url("/410")),
        ("cleveland-police", codes2.url("/403")),
        ("durham-constabulary", codes2.url("/429")),
        ("norfolk-constabulary", codes3.url("/401")),
        ("suffolk-constabulary", codes3.url("/418")),
        ("cumbria-constabulary", flaky.url("/data")),
        ("hampshire-constabulary", moved_then_temporary.url("/old")),
        ("lincolnshire-police", stalling.url("/h0")),
        ("north-wales-police", temporary.url(&format!("/to-closed-{closed_port}"))),
        ("lancashire-constabulary", failing.url("/data")),
        ("thames-valley-police", silent.url("/data")),
        ("dyfed-powys-police", format!("http://127.0.0.1:{closed_port}/data")),
        ("gloucestershire-constabulary", "https://data.no-such-force.invalid/uof".to_string()),
        ("wiltshire-police", format!("https://127.0.0.1:{plain_port}/data")),
    ];
    for (force, url) in &cases {
        set_url(&env, force, url);
    }
    let (code, results) = check(&env, &["--timeout", "1"]);
    assert_eq!(code, 1, "some links are broken");
    assert_eq!(results.len(), cases.len());

    let expect = |force: &str, status: &str, http: Option<u64>, problem_has: &str| {
        let r = &results[force];
        assert_eq!(r["status"], status, "{force}: {r}");
        assert_eq!(r["http_status"].as_u64(), http, "{force}: {r}");
        assert!(problem(r).contains(problem_has), "{force}: problem {:?} lacks {problem_has:?}", problem(r));
        if status == "ok" {
            assert!(r["problem"].is_null() && r["suggested_fix"].is_null(), "{force}: {r}");
        } else {
            assert!(!r["suggested_fix"].as_str().unwrap_or("").is_empty(), "{force}: no fix: {r}");
        }
        r
    };
    expect("kent-police", "ok", Some(200), "");
    let moved = expect("essex-police", "caution", Some(200), "Permanently redirects to ");
    assert_eq!(moved["suggested_fix"], chain.url("/c"), "the fix is the final URL");
    assert_eq!(moved["final_url"], chain.url("/c"));
    let temp = expect("surrey-police", "ok", Some(200), "");
    assert_eq!(temp["final_url"], temporary.url("/new"), "a temporary redirect is followed, not flagged");
    expect("sussex-police", "broken", Some(302), "Redirect loop");
    expect("dorset-police", "broken", Some(302), "More than 8 redirects");
    assert_eq!(endless.hits("/r8"), 1, "the ninth request is the last");
    assert_eq!(endless.hits("/r9"), 0, "no tenth request");
    expect("merseyside-police", "broken", Some(404), "Page not found (404)");
    expect("gwent-police", "broken", Some(410), "Page gone (410)");
    expect("cleveland-police", "caution", Some(403), "may block automated checks");
    expect("durham-constabulary", "caution", Some(429), "may block automated checks");
    expect("norfolk-constabulary", "caution", Some(401), "may block automated checks");
    expect("suffolk-constabulary", "broken", Some(418), "Client error (418)");
    expect("cumbria-constabulary", "ok", Some(200), "");
    // the fix after a permanent move is where the move leads, not where a temporary hop goes next
    let moved = expect("hampshire-constabulary", "caution", Some(200), "Permanently redirects to ");
    assert_eq!(moved["suggested_fix"], moved_then_temporary.url("/moved"));
    assert_eq!(moved["final_url"], moved_then_temporary.url("/today"));
    // the timeout covers the whole chain of one try, not each hop
    let stalled = expect(
        "lincolnshire-police",
        "caution",
        None,
        "Timed out waiting for the response headers after 1 s (3 tries)",
    );
    assert!(problem(stalled).contains(&format!("at the redirect to {}", stalling.url("/h1"))), "{stalled}");
    assert_eq!((stalling.hits("/h1"), stalling.hits("/h2")), (3, 0), "each try stops at its second hop");
    // a redirect to a dead address names that address
    let dead = format!("http://127.0.0.1:{closed_port}/gone");
    let redirected = expect("north-wales-police", "caution", None, "Could not connect");
    assert!(problem(redirected).contains(&format!("at the redirect to {dead}")), "{redirected}");
    assert_eq!(redirected["final_url"], dead);
    assert_eq!(flaky.hits("/data"), 2, "one retry after the 500");
    expect("lancashire-constabulary", "caution", Some(503), "Server error (503) after 3 tries");
    assert_eq!(failing.hits("/data"), 3, "three tries before calling it failing");
    expect(
        "thames-valley-police",
        "caution",
        None,
        "Timed out waiting for the response headers after 1 s (3 tries)",
    );
    assert_eq!(silent.hits("/data"), 3);
    expect("dyfed-powys-police", "caution", None, "Could not connect: connection refused");
    expect("gloucestershire-constabulary", "caution", None, "Host not found (DNS)");
    expect("wiltshire-police", "broken", None, "TLS failure");
    // a failure that may pass is caution, failing since now; an answer that means broken is not
    for force in [
        "lincolnshire-police",
        "north-wales-police",
        "lancashire-constabulary",
        "thames-valley-police",
        "dyfed-powys-police",
        "gloucestershire-constabulary",
    ] {
        let r = &results[force];
        assert!(problem(r).ends_with("; failing since 2025-11-24 16:00:00 GMT"), "{force}: {r}");
        assert_eq!(r["failing_since"], "2025-11-24T16:00:00Z", "{force}: {r}");
    }
    for force in ["sussex-police", "dorset-police", "merseyside-police", "gwent-police", "wiltshire-police"] {
        assert_eq!(results[force]["failing_since"], Value::Null, "{force}: broken at once");
        assert!(!problem(&results[force]).contains("failing since"), "{force}");
    }

    // an answer after 5.5 s, inside the default 15 s timeout, is slow
    set_url(&env, "west-mercia-police", &slow.url("/data"));
    let (code, results) = check(&env, &["--force", "west-mercia-police"]);
    assert_eq!(code, 0, "slow is not broken");
    let r = &results["west-mercia-police"];
    assert_eq!(r["status"], "caution", "{r}");
    assert!(problem(r).starts_with("Slow: answered in ") && problem(r).ends_with(" s"), "{r}");
    assert_eq!(slow.hits("/data"), 1, "a slow answer is not retried");

    // 404 and 410 do not get retried: they will not get better in a second
    assert_eq!(codes.hits("/404"), 1);
    assert_eq!(codes.hits("/410"), 1);
}

#[test]
fn results_are_stored_and_drive_list_show_status_and_publish() {
    let env = TestEnv::init();
    let server = Server::start("127.0.0.1", |path, _| match path {
        "/gone" => Reply::Status(404),
        _ => Reply::Status(200),
    });
    set_url(&env, "kent-police", &server.url("/data"));
    set_url(&env, "essex-police", &server.url("/gone"));
    let link = |slug: &str| {
        let list = env.json(&["list", "--json"]);
        let forces = list["forces"].as_array().unwrap();
        let force = forces.iter().find(|f| f["slug"] == slug).unwrap();
        force["link_status"].as_str().unwrap().to_string()
    };
    assert_eq!(link("kent-police"), "pending", "never checked");
    let changes = env.change_count();

    let run = env.run(&["check-links", "--allow-private"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 checked: 1 ok, 0 caution, 1 broken"), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "no progress bar when not on a terminal: {:?}", run.stderr);
    assert_eq!(env.change_count(), changes, "a check is not an edit: no audit entry");
    assert_eq!(link("kent-police"), "ok");
    assert_eq!(link("essex-police"), "broken");
    assert_eq!(link("surrey-police"), "missing");

    let show = env.json(&["show", "essex-police", "--json"]);
    assert_eq!(show["link_check"]["status"], "broken");
    assert_eq!(show["link_check"]["http_status"], 404);
    assert_eq!(show["link_check"]["url"], server.url("/gone"));
    let status = env.json(&["status", "--json"]);
    assert!(status.to_string().contains("essex-police"), "status names the broken link: {status}");

    let err = env.fails(&["publish"], 1);
    assert!(err.contains("Essex Police"), "{err}");
    assert!(!env.path("publish").exists(), "nothing published");
    env.ok(&["publish", "--allow-broken"]);

    // a new URL has not been checked: pending again, and publish is no longer blocked by it
    set_url(&env, "essex-police", &server.url("/data"));
    assert_eq!(link("essex-police"), "pending");
    let (code, results) = check(&env, &["--force", "Essex Police"]);
    assert_eq!(code, 0);
    assert_eq!(results.keys().collect::<Vec<_>>(), ["essex-police"], "--force checks one force");
    assert_eq!(link("essex-police"), "ok");
    let json = &results["essex-police"];
    let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "changed",
            "checked_at",
            "content_sha256",
            "etag",
            "failing_since",
            "final_url",
            "force",
            "http_status",
            "last_modified",
            "page_changed_at",
            "problem",
            "status",
            "suggested_fix",
            "title",
            "url"
        ]
    );
    assert_eq!(json["checked_at"], "2025-11-24T16:00:00Z");
}

#[test]
fn nothing_to_check_and_bad_arguments() {
    let env = TestEnv::init();
    let out = env.ok(&["check-links"]);
    assert!(out.contains("no links to check"), "{out}");
    assert_eq!(env.json(&["check-links", "--json"])["results"], serde_json::json!([]));

    let before = crate::testenv::bytes(&env.db);
    let err = env.fails(&["check-links", "--force", "kent-police"], 2);
    assert!(err.contains("has no URL"), "{err}");
    env.fails(&["check-links", "--force", "no-such-force"], 2);
    env.fails(&["check-links", "--timeout", "0"], 2);
    env.fails(&["check-links", "--concurrency", "0"], 2);
    env.fails(&["check-links", "--concurrency", "many"], 2);
    env.fails(&["check-links", "--concurrency", "129"], 2);
    assert_eq!(crate::testenv::bytes(&env.db), before, "refused runs change nothing");

    // a database this user cannot write is refused before any link is checked
    use std::os::unix::fs::PermissionsExt;
    set_url(&env, "essex-police", "https://www.essex-police.invalid/uof");
    std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = crate::testenv::bytes(&env.db);
    let run = env.as_nobody(&[], &["check-links"]);
    let stderr = run.stderr;
    assert_eq!(run.code, 1, "{stderr}");
    assert!(stderr.starts_with("error: ") && stderr.contains("read-only"), "{stderr}");
    assert_eq!(crate::testenv::bytes(&env.db), before);
    assert_eq!(env.json(&["show", "essex-police", "--json"])["link_check"], Value::Null, "nothing checked");
    assert_eq!(crate::testenv::bytes(&env.db), before);

    set_url(&env, "kent-police", "https://www.kent.police.uk/uof");
    env.ok(&["retire-force", "kent-police"]);
    let err = env.fails(&["check-links", "--force", "kent-police"], 2);
    assert!(err.contains("retired"), "{err}");
}

#[test]
fn one_host_gets_at_most_two_requests_at_once() {
    let env = TestEnv::init();
    let server = Server::start("127.0.0.1", |_, _| Reply::Slow(Duration::from_millis(300)));
    let other = Server::start("127.0.0.2", |_, _| Reply::Slow(Duration::from_millis(300)));
    let slugs: Vec<String> = env.json(&["list", "--json"])["forces"].as_array().unwrap()[..12]
        .iter()
        .map(|f| f["slug"].as_str().unwrap().to_string())
        .collect();
    for (i, slug) in slugs.iter().enumerate() {
        let host = if i < 8 { &server } else { &other };
        set_url(&env, slug, &host.url(&format!("/{i}")));
    }
    let (code, results) = check(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(results.len(), 12);
    assert!(results.values().all(|r| r["status"] == "ok"));
    assert_eq!(server.most_at_once.load(Ordering::SeqCst), 2, "8 links on one host, 2 at a time");
    assert_eq!(other.most_at_once.load(Ordering::SeqCst), 2, "a second host runs beside it");
}

#[test]
fn a_terminal_gets_a_progress_bar_and_a_pipe_does_not() {
    let env = TestEnv::init();
    let server = Server::start("127.0.0.1", |_, _| Reply::Slow(Duration::from_millis(200)));
    set_url(&env, "kent-police", &server.url("/a"));
    set_url(&env, "essex-police", &server.url("/b"));
    // `script` runs the command on a pseudo-terminal, as an editor's shell would
    let run = env.shell(r#"TERM=xterm-256color script -qec "$ADMIN check-links --allow-private" /dev/null"#);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("checking links"), "no progress bar on a terminal: {:?}", run.stdout);
    assert!(run.stdout.contains("/2"), "the bar counts the links: {:?}", run.stdout);

    let piped = env.shell(r#"$ADMIN check-links --allow-private 2>&1 | cat"#);
    assert!(!piped.stdout.contains("checking links"), "{:?}", piped.stdout);
    assert!(!piped.stdout.contains('\u{1b}'), "no colour or cursor codes when piped: {:?}", piped.stdout);
    assert!(piped.stdout.contains("2 checked: 2 ok"), "{}", piped.stdout);
}

// ---- section 13: knowing when a force's page changes ----

fn sha256(text: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
}

/// `admin show FORCE --json`'s link check.
fn shown(env: &TestEnv, force: &str) -> Value {
    env.json(&["show", force, "--json"])["link_check"].clone()
}

fn link_statuses(env: &TestEnv) -> Vec<(String, String)> {
    let list = env.json(&["list", "--json"]);
    let forces = list["forces"].as_array().unwrap().iter();
    forces
        .map(|f| (f["slug"].as_str().unwrap().to_owned(), f["link_status"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn a_page_stays_unchanged_until_its_body_changes_and_show_gives_the_date() {
    use crate::testenv::EPOCH;
    let env = TestEnv::init();
    let body = Arc::new(Mutex::new(
        "<title>Use of force\n  statistics &amp; data</title> April to June".to_string(),
    ));
    let page = body.clone();
    let server = Server::start("127.0.0.1", move |_, _| Reply::Page(vec![], page.lock().unwrap().clone()));
    set_url(&env, "kent-police", &server.url("/uof"));

    let (code, results) = check(&env, &[]);
    assert_eq!(code, 0);
    let first = &results["kent-police"];
    assert_eq!(first["status"], "ok");
    assert_eq!(first["changed"], Value::Null, "nothing to compare with on a first check: {first}");
    assert_eq!(first["title"], "Use of force statistics & data");
    assert_eq!(first["content_sha256"], sha256(&body.lock().unwrap()));
    assert_eq!(
        (&first["etag"], &first["last_modified"]),
        (&Value::Null, &Value::Null),
        "the server sent none"
    );
    assert_eq!(first["page_changed_at"], "2025-11-24T16:00:00Z", "a first check dates the page");

    env.set_epoch(EPOCH + 3600);
    for _ in 0..2 {
        let (code, results) = check(&env, &[]);
        assert_eq!(code, 0);
        let again = &results["kent-police"];
        assert_eq!((&again["status"], &again["changed"]), (&"ok".into(), &Value::Bool(false)), "{again}");
        assert_eq!(again["content_sha256"], first["content_sha256"]);
        assert_eq!(again["page_changed_at"], "2025-11-24T16:00:00Z", "unchanged: still the first date");
    }
    let asked: Vec<_> = server.requests("/uof");
    assert_eq!(asked.len(), 3);
    assert!(
        asked.iter().all(|h| !h.contains_key("if-none-match") && !h.contains_key("if-modified-since")),
        "no validators to send back"
    );

    *body.lock().unwrap() = "<title>Use of force statistics &amp; data</title> July to September".into();
    env.set_epoch(EPOCH + 7200);
    let run = env.run(&["check-links", "--allow-private"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("1 checked: 1 ok, 0 caution, 0 broken; 1 page changed since the last check"),
        "{}",
        run.stdout
    );
    let check = shown(&env, "kent-police");
    assert_eq!(check["changed"], true);
    assert_eq!(check["title"], "Use of force statistics & data", "same title, new body");
    assert_eq!(check["content_sha256"], sha256(&body.lock().unwrap()));
    assert_eq!(check["page_changed_at"], "2025-11-24T18:00:00Z");
    let show = env.ok(&["show", "kent-police"]);
    assert!(show.contains("  page changed:  2025-11-24 18:00:00 GMT\n"), "{show}");
}

#[test]
fn etag_and_last_modified_go_back_and_a_304_counts_as_unchanged() {
    use crate::testenv::EPOCH;
    let env = TestEnv::init();
    let date = "Wed, 02 Jul 2025 09:00:00 GMT";
    let server = Server::start("127.0.0.1", move |path, _| match path {
        "/start" => Reply::Redirect(302, "/tagged".into()),
        "/tagged" => Reply::Conditional {
            etag: Some("\"v1\"".into()),
            last_modified: None,
            body: "<title>Tagged</title>".into(),
        },
        _ => Reply::Conditional {
            etag: None,
            last_modified: Some(date.into()),
            body: "<title>Dated</title>".into(),
        },
    });
    set_url(&env, "kent-police", &server.url("/start"));
    set_url(&env, "essex-police", &server.url("/dated"));
    let (code, first) = check(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(first["kent-police"]["etag"], "\"v1\"");
    assert_eq!(first["essex-police"]["last_modified"], date);

    env.set_epoch(EPOCH + 86_400);
    let (code, second) = check(&env, &[]);
    assert_eq!(code, 0, "{second:?}");
    let tagged = server.requests("/tagged");
    assert_eq!(tagged.len(), 2);
    assert_eq!(tagged[1].get("if-none-match").map(String::as_str), Some("\"v1\""), "the ETag went back");
    assert!(
        server.requests("/start").iter().all(|h| !h.contains_key("if-none-match")),
        "validators go only to the address that gave them, not to the redirect before it"
    );
    let dated = server.requests("/dated");
    assert_eq!(dated[1].get("if-modified-since").map(String::as_str), Some(date), "the date went back");
    for (force, title) in [("kent-police", "Tagged"), ("essex-police", "Dated")] {
        let r = &second[force];
        assert_eq!(r["status"], "ok", "a 304 is ok: {r}");
        assert_eq!(r["http_status"], 304, "{r}");
        assert_eq!(r["changed"], false, "a 304 is unchanged: {r}");
        assert_eq!(r["title"], title, "the fingerprint is kept: {r}");
        assert_eq!(r["content_sha256"], first[force]["content_sha256"]);
        assert_eq!(r["page_changed_at"], "2025-11-24T16:00:00Z");
    }
    // the validators keep going back after a 304: the fingerprint was kept with it
    env.set_epoch(EPOCH + 2 * 86_400);
    let (_, third) = check(&env, &[]);
    assert_eq!(third["kent-police"]["http_status"], 304);
    assert_eq!(server.requests("/tagged")[2].get("if-none-match").map(String::as_str), Some("\"v1\""));
}

#[test]
fn a_force_whose_page_changed_since_its_review_is_due_first() {
    use crate::testenv::EPOCH;
    let env = TestEnv::init();
    let version = Arc::new(AtomicUsize::new(1));
    let v = version.clone();
    let server = Server::start("127.0.0.1", move |path, _| {
        let n = if path == "/kent" { v.load(Ordering::SeqCst) } else { 1 };
        Reply::Page(vec![], format!("<title>Use of force</title> edition {n}"))
    });
    set_url(&env, "kent-police", &server.url("/kent"));
    set_url(&env, "essex-police", &server.url("/essex"));
    set_url(&env, "surrey-police", &server.url("/surrey"));
    check(&env, &["--force", "kent-police"]);
    check(&env, &["--force", "essex-police"]);
    env.set_epoch(EPOCH + 3600);
    for force in ["kent-police", "essex-police", "surrey-police"] {
        env.ok(&["review", force]);
    }
    let due = env.json(&["due", "--json"]);
    let slugs: Vec<&str> =
        due["forces"].as_array().unwrap().iter().map(|f| f["slug"].as_str().unwrap()).collect();
    assert!(!slugs.contains(&"kent-police"), "just reviewed: not due");

    version.store(2, Ordering::SeqCst);
    env.set_epoch(EPOCH + 7200);
    let (code, results) = check(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(results["kent-police"]["changed"], true);
    assert_eq!(results["essex-police"]["changed"], false);
    assert_eq!(results["surrey-police"]["changed"], Value::Null, "surrey's first check");

    let due = env.json(&["due", "--json"]);
    let forces = due["forces"].as_array().unwrap();
    assert_eq!(forces.len(), 43, "42 never reviewed, and kent");
    assert_eq!(forces[0]["slug"], "kent-police", "a changed page comes first: {}", forces[0]);
    assert_eq!(forces[0]["page_changed_since_review"], true);
    assert_eq!(forces[0]["last_reviewed"], "2025-11-24T17:00:00Z");
    assert!(forces[1..]
        .iter()
        .all(|f| f["page_changed_since_review"] == false && f["last_reviewed"].is_null()));
    assert!(
        !forces.iter().any(|f| f["slug"] == "surrey-police" || f["slug"] == "essex-police"),
        "a first check after a review, or an unchanged page, is not a change"
    );
    let table = env.ok(&["due"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("NAME") && lines[0].ends_with("NOTE"), "{table}");
    assert!(
        lines[1].starts_with("Kent Police") && lines[1].ends_with("page changed since last review"),
        "{table}"
    );
    assert!(!lines[2].contains("page changed"), "{table}");

    env.set_epoch(EPOCH + 10_800);
    env.ok(&["review", "kent-police", "-m", "new edition: July to September"]);
    let due = env.json(&["due", "--json"]);
    assert!(due["forces"].as_array().unwrap().iter().all(|f| f["slug"] != "kent-police"), "reviewed again");
}

#[test]
fn a_home_page_reached_from_a_deeper_address_or_a_not_found_title_is_caution() {
    let env = TestEnv::init();
    let other = Server::start("127.0.0.1", |_, _| Reply::Page(vec![], "<title>Welcome</title>".into()));
    let elsewhere = other.url("/");
    let server = Server::start("127.0.0.1", move |path, _| match path {
        "/uof/data" => Reply::Redirect(301, "/".into()),
        "/article/790/Use-of-Force" => Reply::Redirect(302, elsewhere.clone()),
        "/gone" => Reply::Page(vec![], "<TITLE>Page Not Found | Kent Police</TITLE>".into()),
        "/error" => Reply::Page(vec![], "<title>Error 404</title>".into()),
        "/stats" => Reply::Page(vec![], "<title>Use of force 14045</title>".into()),
        "/home" => Reply::Redirect(302, "/".into()),
        _ => Reply::Page(vec![], "<title>Home</title>".into()),
    });
    let cases = [
        ("kent-police", server.url("/uof/data")),
        ("essex-police", server.url("/article/790/Use-of-Force")),
        ("surrey-police", server.url("/gone")),
        ("sussex-police", server.url("/error")),
        ("dorset-police", server.url("/stats")),
        ("gwent-police", server.url("/")),
    ];
    for (force, url) in &cases {
        set_url(&env, force, url);
    }
    let (code, results) = check(&env, &[]);
    assert_eq!(code, 0, "caution is not broken");
    let fix = "Find the data's new address on the force's website and update the link";
    for (force, problem_is) in [
        (
            "kent-police",
            format!("Looks like a missing page: it redirects to the site's home page, {}", server.url("/")),
        ),
        (
            "essex-police",
            format!("Looks like a missing page: it redirects to the site's home page, {}", other.url("/")),
        ),
        ("surrey-police", "Looks like a missing page: its title is \"Page Not Found | Kent Police\"".into()),
        ("sussex-police", "Looks like a missing page: its title is \"Error 404\"".into()),
    ] {
        let r = &results[force];
        assert_eq!(r["status"], "caution", "{force}: {r}");
        assert_eq!(problem(r), problem_is, "{force}");
        assert_eq!(r["suggested_fix"], fix, "{force}: never the home page as the fix");
        assert!(r["content_sha256"].is_string(), "a caution keeps its fingerprint: {r}");
    }
    assert_eq!(results["dorset-police"]["status"], "ok", "404 inside a bigger number is no sign");
    assert_eq!(results["gwent-police"]["status"], "ok", "a link to the home page itself is what it says");
    let out = env.ok(&["show", "kent-police"]);
    assert!(out.contains("  link:          caution") && out.contains("Looks like a missing page"), "{out}");
}

#[test]
fn a_run_that_reaches_no_host_says_the_network_looks_unreachable_and_stores_nothing() {
    let env = TestEnv::init();
    let closed = |ip: &str| {
        let listener = std::net::TcpListener::bind((ip, 0)).unwrap();
        listener.local_addr().unwrap().port()
    };
    set_url(&env, "kent-police", &format!("http://127.0.0.1:{}/uof", closed("127.0.0.1")));
    set_url(&env, "essex-police", &format!("http://127.0.0.2:{}/uof", closed("127.0.0.2")));
    set_url(&env, "surrey-police", "https://www.surrey-police.invalid/uof");
    let before = crate::testenv::bytes(&env.db);
    let statuses = link_statuses(&env);
    for json in [false, true] {
        let args: &[&str] = if json {
            &["check-links", "--allow-private", "--json"]
        } else {
            &["check-links", "--allow-private"]
        };
        let run = env.run(args);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        crate::testenv::assert_error_shape(&run.stderr);
        assert!(
            run.stderr.starts_with("error: the network looks unreachable: none of the 3 links' hosts"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("nothing was stored")
                && run.stderr.contains("\nhint: check this machine's connection"),
            "{}",
            run.stderr
        );
        assert!(
            !format!("{}{}", run.stdout, run.stderr).to_lowercase().contains("typo"),
            "no typo advice: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    assert_eq!(link_statuses(&env), statuses, "every link still pending");
    assert_eq!(shown(&env, "kent-police"), Value::Null);
    assert_eq!(crate::testenv::bytes(&env.db), before, "nothing stored");

    // a proxy that cannot be reached is the same: nothing got out
    let run = env
        .command()
        .args(["check-links", "--allow-private"])
        .env("HTTP_PROXY", format!("http://127.0.0.1:{}", closed("127.0.0.1")))
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{}", closed("127.0.0.1")))
        .output()
        .unwrap();
    let run: crate::testenv::Run = run.into();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: the network looks unreachable"), "{}", run.stderr);
    assert_eq!(crate::testenv::bytes(&env.db), before, "nothing stored");

    // one host that answers is enough to trust the rest: the dead links may pass, and are stored
    let server = Server::start("127.0.0.1", |_, _| Reply::Status(200));
    set_url(&env, "sussex-police", &server.url("/uof"));
    let (code, results) = check(&env, &[]);
    assert_eq!(code, 0, "failures that may pass are caution: nothing is broken yet");
    assert_eq!(results["sussex-police"]["status"], "ok");
    assert_eq!(results["kent-police"]["status"], "caution");
    assert!(problem(&results["kent-police"]).starts_with("Could not connect: connection refused"));
    assert_eq!(
        problem(&results["surrey-police"]),
        "Host not found (DNS); failing since 2025-11-24 16:00:00 GMT"
    );
    assert_eq!(results["surrey-police"]["status"], "caution");

    // one link alone cannot tell a dead network from a dead host: a probe connection is made
    // (UOF_ADMIN_PROBE, www.gov.uk:443 unless set); when it cannot be made either, nothing
    // is stored, for one link as for many, hours later as at once
    env.set_epoch(crate::testenv::EPOCH + 7_200);
    let before = crate::testenv::bytes(&env.db);
    let one = |vars: &[(&str, String)]| -> crate::testenv::Run {
        let mut cmd = env.command();
        cmd.args(["check-links", "--allow-private", "--force", "surrey-police"]);
        cmd.envs(vars.iter().map(|(k, v)| (*k, v.as_str()))).output().unwrap().into()
    };
    let run = one(&[("UOF_ADMIN_PROBE", "probe.invalid:443".into())]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    crate::testenv::assert_error_shape(&run.stderr);
    assert!(
        run.stderr.starts_with(
            "error: the network looks unreachable: neither www.surrey-police.invalid nor probe.invalid:443 could be resolved or connected to; nothing was stored\nhint: check this machine's connection"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // a proxy that cannot be reached is the one way out, for one link too: no probe needed
    let run = one(&[("HTTPS_PROXY", format!("http://127.0.0.1:{}", closed("127.0.0.1")))]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "error: the network looks unreachable: the proxy could not be reached; nothing was stored"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(crate::testenv::bytes(&env.db), before, "nothing stored");
    assert_eq!(shown(&env, "surrey-police")["status"], "caution", "the link keeps its last status");
    env.ok(&["publish", "--dry-run"]);

    // when the probe connects, the failure is the link's own: confirmed two hours on, broken
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let run = one(&[("UOF_ADMIN_PROBE", probe.local_addr().unwrap().to_string())]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("Host not found (DNS); failing since 2025-11-24 16:00:00 GMT"),
        "{}",
        run.stdout
    );
    assert_eq!(shown(&env, "surrey-police")["status"], "broken");
    assert_eq!(
        shown(&env, "surrey-police")["suggested_fix"],
        "Check the address for typos; the site may have moved to a new domain"
    );
}

/// A listener that counts the connections made to it and closes each at once.
struct Counter {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl Counter {
    fn start(ip: &str) -> Option<Counter> {
        let listener = std::net::TcpListener::bind((ip, 0)).ok()?;
        let port = listener.local_addr().ok()?.port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                count.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Some(Counter { port, accepted })
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

#[test]
fn loopback_private_addresses_and_names_pointing_inward_are_refused_without_connecting() {
    let env = TestEnv::init();
    let v4 = Counter::start("127.0.0.1").unwrap();
    // the machine may have no IPv6 loopback: then the refusal is still shown, just not counted
    let v6 = Counter::start("::1");
    let p6 = v6.as_ref().map_or(v4.port, |c| c.port);
    let cases = [
        ("kent-police", format!("https://127.0.0.1:{}/uof", v4.port)),
        ("essex-police", format!("https://[::1]:{p6}/uof")),
        ("surrey-police", "https://10.0.0.1/uof".to_string()),
        ("sussex-police", "https://sussex.example.org/uof".to_string()),
    ];
    for (force, url) in &cases {
        set_url(&env, force, url);
    }
    // a name that resolves to 127.0.0.1: `set-url` refuses `localhost` as not a full domain, and
    // this machine resolves no other name inward, so the row is edited as an old database or a
    // hand edit could have it; the check must still refuse what the name resolves to
    let named = format!("https://localhost:{}/uof", v4.port);
    env.sql().execute("UPDATE forces SET url = ?1 WHERE slug = 'sussex-police'", [&named]).unwrap();
    let changes = env.change_count();
    let others: Vec<_> =
        link_statuses(&env).into_iter().filter(|(s, _)| !cases.iter().any(|(f, _)| f == s)).collect();

    let started = std::time::Instant::now();
    let run = env.run(&["check-links", "--json"]);
    assert_eq!(run.code, 1, "refused links are broken: {}{}", run.stdout, run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no connection tried, no retries: {:?}",
        started.elapsed()
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let results: HashMap<String, Value> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["force"].as_str().unwrap().to_owned(), r.clone()))
        .collect();
    let tail = "; pass --allow-private to check local mirrors";
    for (force, want) in [
        ("kent-police", format!("Refused: the address 127.0.0.1 is private (loopback){tail}")),
        ("essex-police", format!("Refused: the address ::1 is private (loopback){tail}")),
        ("surrey-police", format!("Refused: the address 10.0.0.1 is private (local network){tail}")),
    ] {
        let r = &results[force];
        assert_eq!((&r["status"], problem(r)), (&"broken".into(), want.as_str()), "{force}");
        assert_eq!(r["http_status"], Value::Null);
    }
    let named = problem(&results["sussex-police"]);
    assert!(
        named.starts_with("Refused: localhost resolves to ")
            && named.ends_with(&format!("which is private (loopback){tail}")),
        "{named}"
    );
    assert_eq!(v4.accepted(), 0, "nothing connected to 127.0.0.1");
    assert_eq!(v6.as_ref().map_or(0, Counter::accepted), 0, "nothing connected to ::1");
    let shown_kent = env.ok(&["show", "kent-police"]);
    assert!(shown_kent.contains("Refused: the address 127.0.0.1 is private"), "{shown_kent}");
    let after: Vec<_> =
        link_statuses(&env).into_iter().filter(|(s, _)| !cases.iter().any(|(f, _)| f == s)).collect();
    assert_eq!(after, others, "no other force's link changed");
    assert_eq!(env.change_count(), changes, "a check is not an edit");

    // with --allow-private the same link is tried: the listener was there to see it
    let (code, results) = check(&env, &["--force", "kent-police", "--timeout", "2"]);
    assert_eq!(code, 0, "a connection dropped may pass: caution, not broken");
    assert_eq!(results["kent-police"]["status"], "caution", "{}", results["kent-police"]);
    assert!(!problem(&results["kent-police"]).starts_with("Refused"), "{}", results["kent-police"]);
    assert!(v4.accepted() >= 1, "--allow-private connects");
}

/// A forward proxy on 127.0.0.1: records each request's first line and, for `CONNECT`, the first
/// line of the request sent through the tunnel; answers every request with a small page itself.
struct ForwardProxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl ForwardProxy {
    fn start() -> ForwardProxy {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut head = || {
                        let mut first = String::new();
                        // a connection that asks nothing (the network probe) is no request
                        if reader.read_line(&mut first).ok()? == 0 {
                            return None;
                        }
                        let mut line = String::new();
                        while reader.read_line(&mut line).ok()? > 2 {
                            line.clear();
                        }
                        Some(first.trim_end().to_owned())
                    };
                    let Some(first) = head() else { return };
                    let mut out = stream;
                    log.lock().unwrap().push(first.clone());
                    if first.starts_with("CONNECT ") {
                        let _ = out.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                        let Some(inner) = head() else { return };
                        log.lock().unwrap().push(format!("through the tunnel: {inner}"));
                    }
                    let body = "<title>Through the proxy</title>";
                    let _ = write!(
                        out,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        ForwardProxy { url, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

#[test]
fn a_proxy_from_the_environment_carries_the_check_and_no_proxy_bypasses_it() {
    let env = TestEnv::init();
    let proxy = ForwardProxy::start();
    // a name that does not resolve here: only the proxy can reach it
    set_url(&env, "kent-police", "http://data.kent-police.invalid/uof");
    let run = |vars: &[(&str, &str)], args: &[&str]| -> (crate::testenv::Run, HashMap<String, Value>) {
        let mut cmd = env.command();
        cmd.args(["check-links", "--json"]).args(args).envs(vars.iter().copied());
        let run: crate::testenv::Run = cmd.output().unwrap().into();
        let doc: Value = serde_json::from_str(&run.stdout).unwrap_or_default();
        let results = doc["results"].as_array().cloned().unwrap_or_default();
        let results = results.into_iter().map(|r| (r["force"].as_str().unwrap().to_owned(), r)).collect();
        (run, results)
    };

    // the proxy is the operator's choice: on loopback, it needs no --allow-private
    let (out, results) = run(&[("HTTP_PROXY", &proxy.url)], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(results["kent-police"]["status"], "ok");
    assert_eq!(results["kent-police"]["title"], "Through the proxy");
    assert_eq!(
        proxy.seen(),
        ["CONNECT data.kent-police.invalid:80 HTTP/1.1", "through the tunnel: GET /uof HTTP/1.1"],
        "the proxy was told the name, and resolved it"
    );

    // https_proxy is for https links: an http link goes direct, and this name does not exist;
    // the network probe is then the https proxy, which answers: the failure is the link's
    let dns = "Host not found (DNS); failing since 2025-11-24 16:00:00 GMT";
    let (out, results) = run(&[("https_proxy", &proxy.url)], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(problem(&results["kent-police"]), dns);
    // NO_PROXY names the domain: the link goes direct
    let probe = proxy.url.trim_start_matches("http://");
    let (out, results) = run(
        &[
            ("http_proxy", &proxy.url),
            ("NO_PROXY", "example.org, .kent-police.invalid"),
            ("UOF_ADMIN_PROBE", probe),
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(problem(&results["kent-police"]), dns);
    assert_eq!(proxy.seen().len(), 2, "the proxy saw neither");

    // through a proxy, an address in the link is refused before the proxy is asked
    set_url(&env, "essex-police", "https://10.0.0.1/uof");
    let (out, results) = run(&[("HTTPS_PROXY", &proxy.url)], &["--force", "essex-police"]);
    assert_eq!(out.code, 1);
    let refused = "Refused: the address 10.0.0.1 is private (local network); pass --allow-private to check local mirrors";
    assert_eq!(problem(&results["essex-police"]), refused);
    assert_eq!(proxy.seen().len(), 2, "the proxy was not asked");

    // a proxy variable that cannot be used is bad input, named without its value
    let before = crate::testenv::bytes(&env.db);
    let (out, _) = run(&[("HTTPS_PROXY", "socks5://user:secret@proxy:1080")], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    crate::testenv::assert_error_shape(&out.stderr);
    assert!(out.stderr.starts_with("error: HTTPS_PROXY is not a proxy this tool can use: only http:// and https:// proxies are supported"), "{}", out.stderr);
    assert!(!out.stderr.contains("secret"), "{}", out.stderr);
    assert_eq!(crate::testenv::bytes(&env.db), before, "nothing checked, nothing stored");
}

/// What a raw server does with a connection once it has read the request.
type Then = fn(&mut std::net::TcpStream);

/// A TCP server on 127.0.0.1 that reads each request's first bytes and then does `then` with the
/// connection, on a thread of its own; returns its port.
fn raw_server(then: Then) -> u16 {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let _ = stream.read(&mut [0; 4096]);
                then(&mut stream);
            });
        }
    });
    port
}

/// Hold the connection until the client goes (or 30 s pass), sending nothing more.
fn until_the_client_goes(stream: &mut std::net::TcpStream) {
    use std::io::Read;
    while matches!(stream.read(&mut [0; 4096]), Ok(n) if n > 0) {}
}

/// Send `head`, then a byte of body every 100 ms until the client goes (or 30 s pass).
fn trickle(stream: &mut std::net::TcpStream, head: &[u8], byte: &[u8]) {
    use std::io::Write;
    if stream.write_all(head).is_err() {
        return;
    }
    for _ in 0..300 {
        std::thread::sleep(Duration::from_millis(100));
        if stream.write_all(byte).and_then(|()| stream.flush()).is_err() {
            return;
        }
    }
}

/// The head of a page of 100,000 bytes.
const PAGE_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n";

#[test]
fn a_timeout_names_the_part_of_the_request_that_ran_out_of_time() {
    use std::io::Write;
    let env = TestEnv::init();
    let cases: [(&str, &str, &str, Then); 6] = [
        // the issue's example: it connects, answers, and trickles its body
        ("kent-police", "http", "Timed out reading the body", |s| trickle(s, PAGE_HEAD, b"x")),
        // more of the class: a chunked body trickled, a body that stops half-way, no answer at
        // all, an answer that stops in its headers, a TLS handshake never answered
        ("essex-police", "http", "Timed out reading the body", |s| {
            trickle(s, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"1\r\nx\r\n")
        }),
        ("surrey-police", "http", "Timed out reading the body", |s| {
            let _ = s.write_all(&[PAGE_HEAD, &[b'x'; 5000][..]].concat());
            until_the_client_goes(s);
        }),
        ("sussex-police", "http", "Timed out waiting for the response headers", until_the_client_goes),
        ("dorset-police", "http", "Timed out waiting for the response headers", |s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Ty");
            until_the_client_goes(s);
        }),
        ("gwent-police", "https", "Timed out connecting", until_the_client_goes),
    ];
    for (force, scheme, _, then) in &cases {
        set_url(&env, force, &format!("{scheme}://127.0.0.1:{}/data", raw_server(*then)));
    }
    let started = std::time::Instant::now();
    let (code, results) = check(&env, &["--timeout", "1"]);
    assert_eq!(code, 0, "a timeout may pass: caution");
    for (force, _, wants, _) in &cases {
        let r = &results[*force];
        assert_eq!(r["status"], "caution", "{force}: {r}");
        assert_eq!(
            problem(r),
            format!("{wants} after 1 s (3 tries); failing since 2025-11-24 16:00:00 GMT"),
            "{force}: {r}"
        );
    }
    // three tries of 1 s each and the pauses between them, every link at once
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());

    // through a proxy that never answers its CONNECT: connecting, too
    let proxy = raw_server(until_the_client_goes);
    set_url(&env, "cleveland-police", "https://data.cleveland-police.invalid/uof");
    let run = env
        .command()
        .args(["check-links", "--json", "--force", "cleveland-police", "--timeout", "1"])
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{proxy}"))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        doc["results"][0]["problem"],
        "Timed out connecting after 1 s (3 tries); failing since 2025-11-24 16:00:00 GMT",
        "{doc}"
    );
}
