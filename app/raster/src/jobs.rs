//! Work spread over threads: each job taken once, by whichever thread is free next (many more
//! jobs than cores balance uneven ones).

/// Runs `jobs` on `threads` threads, each job once.
pub fn run_jobs<J: Send>(jobs: Vec<J>, threads: usize, work: impl Fn(J) + Sync) {
    let jobs: Vec<std::sync::Mutex<Option<J>>> = jobs
        .into_iter()
        .map(|j| std::sync::Mutex::new(Some(j)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let worker = || {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(slot) = jobs.get(i) else { break };
            if let Some(job) = slot.lock().ok().and_then(|mut s| s.take()) {
                work(job);
            }
        }
    };
    if threads <= 1 || jobs.len() <= 1 {
        worker();
    } else {
        std::thread::scope(|scope| {
            for _ in 1..threads.min(jobs.len()) {
                scope.spawn(worker);
            }
            worker();
        });
    }
}
