//! Password hashing runs in a bounded pool per replica: at most a few hashes
//! at once (each is ~20–80 ms of one core and 19 MiB), and a bounded queue in
//! front of them. A queue that is full answers 503 with `Retry-After` rather
//! than piling up threads and memory. The bound is well above what the
//! sign-in limits let through, so throttled guessing sees 401 and 429 only.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

use tokio::sync::Semaphore;

use crate::error::{Error, Result};

pub struct HashPool {
    running: Semaphore,
    /// Hashes waiting or running.
    admitted: AtomicUsize,
    capacity: usize,
}

/// Gives back a place in the pool when the hash ends (or its caller goes).
struct Place<'a>(&'a AtomicUsize);

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashPool {
    /// `workers` hashes at once; `capacity` admitted at most (running or waiting).
    pub fn new(workers: usize, capacity: usize) -> HashPool {
        HashPool {
            running: Semaphore::new(workers.max(1)),
            admitted: AtomicUsize::new(0),
            capacity: capacity.max(workers),
        }
    }

    /// Runs `f` on a blocking thread when a worker is free; 503 when the
    /// queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.admitted.fetch_sub(1, Ordering::AcqRel);
            return Err(Error::Unavailable(
                "too many sign-ins are being checked at once".into(),
            ));
        }
        let _place = Place(&self.admitted);
        let _permit = self
            .running
            .acquire()
            .await
            .map_err(|_| Error::internal("the hashing pool is closed"))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(Error::internal)
    }

    /// Hashes admitted now (running or waiting).
    pub fn admitted(&self) -> usize {
        self.admitted.load(Ordering::Acquire)
    }
}

/// This replica's pool: one worker per core (at most 4), 256 admitted.
pub fn pool() -> &'static HashPool {
    static POOL: LazyLock<HashPool> = LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        HashPool::new(cores.clamp(1, 4), 256)
    });
    &POOL
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once_and_the_pool_recovers() {
        let pool = Arc::new(HashPool::new(1, 2));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let mut held = Vec::new();
        for _ in 0..2 {
            let (pool, wait) = (pool.clone(), wait.clone());
            held.push(tokio::spawn(async move {
                pool.run(move || {
                    let _ = wait.lock().map(|w| w.recv());
                })
                .await
            }));
        }
        while pool.admitted() < 2 {
            tokio::task::yield_now().await;
        }
        let refused = pool.run(|| 1).await;
        assert!(matches!(refused, Err(Error::Unavailable(_))), "{refused:?}");
        release.send(()).unwrap();
        release.send(()).unwrap();
        for h in held {
            h.await.unwrap().unwrap();
        }
        assert_eq!(pool.admitted(), 0);
        assert_eq!(pool.run(|| 7).await.unwrap(), 7);
    }
}
