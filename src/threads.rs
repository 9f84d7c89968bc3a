//! Two pieces of work at once, on the two cores the targets assume, where that pays: for a small
//! directory starting a thread costs more than it saves, and a thread that cannot be started (a
//! process at its limit) is no reason to fail.

/// The stack of each thread started here: the main thread's, whatever `RUST_MIN_STACK` says (a
/// tiny one would overflow).
pub const STACK: usize = 8 << 20;

/// A thread to start, with its stack set.
pub fn builder() -> std::thread::Builder {
    std::thread::Builder::new().stack_size(STACK)
}

/// The stack of a thread that makes one system call and, should it fail, names what failed
/// (each of the threads that sync a staged site's files, one file each).
pub const LIGHT_STACK: usize = 128 << 10;

/// A thread to start for so little: the 8 MiB of one that does the work cost the kernel more to
/// map and unmap, for the ten a seed publication starts (its system time 3.4 -> 2.9 ms,
/// docs/benchmarks.md).
pub fn light_builder() -> std::thread::Builder {
    std::thread::Builder::new().stack_size(LIGHT_STACK)
}

/// Whether a second thread may be started for work one thread can do: not where the process's
/// address space is limited (`ulimit -v`, RLIMIT_AS). There the allocator reserves more of it
/// for a new thread's allocations, and an allocation that fails ends the process, where one
/// thread would have done the work within the limit.
pub fn may_start() -> bool {
    static MAY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *MAY.get_or_init(|| unlimited(rustix::process::getrlimit(rustix::process::Resource::As).current))
}

fn unlimited(address_space: Option<u64>) -> bool {
    address_space.is_none()
}

/// mimalloc 2.x's option `mi_option_purge_delay` (its `mimalloc.h` lists it just after
/// `mi_option_eager_commit_delay`; the bindings name that one, not this).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_eager_commit_delay + 1;

/// While it lives, the allocator (mimalloc, `main.rs`) gives pages freed back to the system at
/// once rather than 10 ms later: for work on a large log where one thread lets go of tens of
/// megabytes while another allocates as much (publish's check of the log against the tables:
/// its peak RSS on 100,000 forces about 226 -> 198 MB), and where a large publish lets go of
/// the state before it makes the site's files. Only there: giving pages back and touching new
/// ones costs system time (0.15 s of that publish's, were it kept on to the end), and a small
/// command, which frees little, took longer (a seed publish 1.07x).
pub struct GiveBackAtOnce(std::ffi::c_long);

impl GiveBackAtOnce {
    pub fn start() -> GiveBackAtOnce {
        // SAFETY: reads and sets one of mimalloc's options (an integer it reads when it next
        // frees pages): no memory is touched, and a process whose allocator is not mimalloc is
        // not affected
        let before = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
        GiveBackAtOnce(before)
    }
}

impl Drop for GiveBackAtOnce {
    fn drop(&mut self) {
        // SAFETY: as in `start`
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, self.0) };
    }
}

/// `a` on another thread while this one runs `b`, where `worth_it`, `may_start` and a thread can
/// be started; else `a` then `b`, here. A panic on the other thread is raised again here.
pub fn at_once<A: Send, B>(worth_it: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if !worth_it || !may_start() {
        let a = a();
        return (a, b());
    }
    // `a` waits here until a thread takes it: one that cannot be started leaves it to this one
    let waiting = std::sync::Mutex::new(Some(a));
    let take = || waiting.lock().ok().and_then(|mut a| a.take());
    std::thread::scope(|scope| {
        let other = builder().spawn_scoped(scope, || take().map(|a| a()));
        let b = b();
        let a = other
            .ok()
            .and_then(|other| other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        match a.or_else(|| take().map(|a| a())) {
            Some(a) => (a, b),
            None => unreachable!("`a` runs on the other thread, or else here"),
        }
    })
}

/// `f` of each half of `items`, the first half on another thread (as `at_once` runs it), joined
/// in order: the same as `f(items)` for an `f` that maps each item on its own.
pub fn by_halves<'t, T: Sync, R: Send>(
    worth_it: bool,
    items: &'t [T],
    f: impl Fn(&'t [T]) -> Vec<R> + Sync,
) -> Vec<R> {
    if !worth_it {
        return f(items);
    }
    let (first, second) = items.split_at(items.len() / 2);
    let (mut first, second) = at_once(true, || f(first), || f(second));
    first.extend(second);
    first
}

/// How many forces make a directory large enough for `at_once` to pay.
pub const LARGE: usize = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_is_the_option_that_defaults_to_10_ms() {
        // mimalloc.h: "memory purging is delayed by N milli seconds (=10)"; the option before it
        // in the list, the eager commit delay, defaults to 1
        let get = |option| unsafe { libmimalloc_sys::mi_option_get(option) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(PURGE_DELAY), 10);
        }
        assert_eq!(get(libmimalloc_sys::mi_option_eager_commit_delay), 1);
    }

    #[test]
    fn by_halves_maps_every_item_in_order_either_way() {
        let items: Vec<u32> = (0..1001).collect();
        for worth_it in [false, true] {
            let doubled = by_halves(worth_it, &items, |part| part.iter().map(|i| i * 2).collect());
            assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
        assert!(by_halves(true, &[] as &[u32], |part| part.to_vec()).is_empty());
    }

    #[test]
    fn both_run_and_give_their_results_in_order_either_way() {
        for worth_it in [false, true] {
            let (a, b) = at_once(worth_it, || "a".repeat(3), || 2 + 2);
            assert_eq!((a.as_str(), b), ("aaa", 4));
        }
    }

    #[test]
    fn a_limited_address_space_keeps_to_one_thread() {
        assert!(unlimited(None));
        assert!(!unlimited(Some(64 << 20)));
    }

    #[test]
    fn a_panic_on_the_other_thread_is_raised_here() {
        let caught = std::panic::catch_unwind(|| at_once(true, || panic!("other"), || 1));
        assert!(caught.is_err());
    }
}
