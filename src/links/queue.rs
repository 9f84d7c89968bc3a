//! Handing out links to the worker threads so that no host gets more than its share at once.
use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};

use url::Url;

use super::Target;

/// Links waiting to be checked, handed out so that no host has more than `per_host` in flight.
pub(super) struct HostQueue {
    state: Mutex<Waiting>,
    freed: Condvar,
    per_host: usize,
}

#[derive(Default)]
struct Waiting {
    /// Index into the targets, and the target's host.
    links: VecDeque<(usize, String)>,
    /// Requests in flight per host.
    busy: HashMap<String, usize>,
}

impl HostQueue {
    pub(super) fn new(targets: &[Target], per_host: usize) -> HostQueue {
        let links = targets.iter().enumerate().map(|(i, t)| (i, host_key(&t.url))).collect();
        HostQueue {
            state: Mutex::new(Waiting { links, busy: HashMap::new() }),
            freed: Condvar::new(),
            per_host,
        }
    }

    /// The most requests that can be in flight at once: `per_host` for each host, or as many
    /// links as it has when fewer.
    pub(super) fn slots(&self) -> usize {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut per_host: HashMap<&str, usize> = HashMap::new();
        for (_, host) in &state.links {
            *per_host.entry(host).or_default() += 1;
        }
        per_host.values().map(|&n| n.min(self.per_host)).sum()
    }

    /// The next link whose host has room, waiting for one if need be; `None` when all are taken.
    pub(super) fn take(&self) -> Option<(usize, String)> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let Waiting { links: waiting, busy } = &mut *state;
            if waiting.is_empty() {
                return None;
            }
            let free =
                waiting.iter().position(|(_, host)| busy.get(host).copied().unwrap_or(0) < self.per_host);
            if let Some(at) = free {
                let (index, host) = waiting.remove(at)?;
                *busy.entry(host.clone()).or_default() += 1;
                return Some((index, host));
            }
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    pub(super) fn release(&self, host: &str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = state.busy.get_mut(host) {
            *count -= 1;
        }
        self.freed.notify_all();
    }
}

/// The host and port a URL connects to: the unit of the per-host limit.
fn host_key(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => format!("{}:{}", u.host_str().unwrap_or(""), u.port_or_known_default().unwrap_or(0)),
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::Target;

    #[test]
    fn hosts_are_told_apart_by_name_and_port() {
        assert_eq!(host_key("https://a.police.uk/x"), "a.police.uk:443");
        assert_eq!(host_key("http://127.0.0.2:8080/"), "127.0.0.2:8080");
        assert_ne!(host_key("http://127.0.0.1:1/"), host_key("http://127.0.0.2:1/"));
    }

    #[test]
    fn the_queue_never_hands_one_host_more_than_its_share() {
        let targets: Vec<Target> = (0..6)
            .map(|i| Target { force: format!("f{i}"), url: format!("https://h{}.uk/{i}", i % 2), seen: None })
            .collect();
        let queue = HostQueue::new(&targets, 2);
        let first: Vec<_> = (0..4).filter_map(|_| queue.take()).collect();
        assert_eq!(first.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1, 2, 3]);
        let busy = queue.state.lock().unwrap().busy.clone();
        assert_eq!(busy.values().copied().collect::<Vec<_>>(), [2, 2]);
        queue.release(&first[0].1);
        assert_eq!(queue.take().map(|(i, _)| i), Some(4));
    }

    #[test]
    fn as_many_slots_as_hosts_times_their_share() {
        let on = |hosts: &[usize]| -> Vec<Target> {
            hosts
                .iter()
                .enumerate()
                .map(|(i, h)| Target {
                    force: format!("f{i}"),
                    url: format!("https://h{h}.uk/{i}"),
                    seen: None,
                })
                .collect()
        };
        assert_eq!(HostQueue::new(&on(&(0..45).collect::<Vec<_>>()), 2).slots(), 45);
        assert_eq!(HostQueue::new(&on(&[0; 45]), 2).slots(), 2);
        assert_eq!(HostQueue::new(&on(&[0, 0, 0, 1, 2, 2]), 2).slots(), 5);
        assert_eq!(HostQueue::new(&[], 2).slots(), 0);
    }
}
