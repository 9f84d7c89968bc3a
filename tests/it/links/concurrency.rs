//! A directory of forces is checked all at once: every host at the same time, never more than two
//! requests on one host. The servers count; nothing is timed.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{check, set_url, Reply, Server};
use crate::testenv::TestEnv;

/// One server per address 127.0.0.1 .. 127.0.0.`hosts`, each answering 200 after a pause, and
/// counting with the others the most requests they were answering at once between them.
fn servers(hosts: usize, most: &Arc<AtomicUsize>) -> Vec<Server> {
    let open = Arc::new(AtomicUsize::new(0));
    (1..=hosts)
        .map(|i| {
            let (open, most) = (open.clone(), most.clone());
            Server::start(&format!("127.0.0.{i}"), move |_, _| {
                most.fetch_max(open.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(400));
                open.fetch_sub(1, Ordering::SeqCst);
                Reply::Status(200)
            })
        })
        .collect()
}

fn slugs(env: &TestEnv) -> Vec<String> {
    let list = env.json(&["list", "--json"]);
    list["forces"].as_array().unwrap().iter().map(|f| f["slug"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn forty_five_hosts_are_checked_at_once_and_no_host_gets_more_than_two() {
    let env = TestEnv::init();
    let slugs = slugs(&env);
    assert_eq!(slugs.len(), 45);

    // 45 links on 45 hosts: far more than 8 at once, one on each host
    let most = Arc::new(AtomicUsize::new(0));
    let hosts = servers(45, &most);
    for (slug, host) in slugs.iter().zip(&hosts) {
        set_url(&env, slug, &host.url(&format!("/{slug}")));
    }
    let (code, results) = check(&env, &[]);
    assert_eq!(code, 0);
    assert!(results.values().all(|r| r["status"] == "ok"), "{results:?}");
    let at_once = most.load(Ordering::SeqCst);
    assert!(at_once > 8, "45 hosts are checked together, not 8 at a time: {at_once} at once");
    assert!(hosts.iter().all(|h| h.most_at_once.load(Ordering::SeqCst) == 1));

    // 45 links on 15 hosts, three each: two at a time on each host, the hosts side by side
    let most = Arc::new(AtomicUsize::new(0));
    let hosts = servers(15, &most);
    for (i, slug) in slugs.iter().enumerate() {
        set_url(&env, slug, &hosts[i % 15].url(&format!("/{slug}")));
    }
    let (code, results) = check(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(results.len(), 45);
    for host in &hosts {
        assert_eq!(
            host.most_at_once.load(Ordering::SeqCst),
            2,
            "{}: at most 2 at once, and 2 used",
            host.base
        );
    }
    assert!(most.load(Ordering::SeqCst) > 8, "{} at once", most.load(Ordering::SeqCst));

    // --concurrency still bounds the whole run
    let most = Arc::new(AtomicUsize::new(0));
    let hosts = servers(45, &most);
    for (slug, host) in slugs.iter().zip(&hosts) {
        set_url(&env, slug, &host.url(&format!("/{slug}")));
    }
    let (code, _) = check(&env, &["--concurrency", "4"]);
    assert_eq!(code, 0);
    assert_eq!(most.load(Ordering::SeqCst), 4, "--concurrency 4: 4 at once");
}
