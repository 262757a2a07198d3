//! Logs: JSON lines in production, readable lines in development.

use tracing_subscriber::EnvFilter;

use crate::config::RunEnv;

/// Installs the global subscriber (once; later calls do nothing).
pub fn init(env: RunEnv, filter: &str) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(filter));
    let filter = silence_secrets(filter);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match env {
        RunEnv::Production => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        RunEnv::Development => builder.compact().try_init(),
    };
}

/// async-imap traces every command it sends, a mailbox's LOGIN with its
/// password included: that target is never logged, whatever `RUST_LOG` says.
pub const SECRET_TARGETS: [&str; 1] = ["async_imap::imap_stream"];

/// `filter` with the targets that would log secrets switched off.
pub fn silence_secrets(mut filter: EnvFilter) -> EnvFilter {
    for target in SECRET_TARGETS {
        if let Ok(directive) = format!("{target}=off").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// The heap's live bytes as the program asked for them (not what the
/// allocator keeps from the system: RSS less this is its size classes'
/// rounding, free blocks in pages still in use, and everything else), with
/// the `heap-stats` feature; None without it.
#[cfg(feature = "heap-stats")]
pub fn heap_live_bytes() -> Option<u64> {
    Some(heap::LIVE.load(std::sync::atomic::Ordering::Relaxed).max(0) as u64)
}

/// Not counted in this build (no `heap-stats` feature).
#[cfg(not(feature = "heap-stats"))]
pub fn heap_live_bytes() -> Option<u64> {
    None
}

#[cfg(feature = "heap-stats")]
pub use heap::CountingHeap;

#[cfg(feature = "heap-stats")]
mod heap {
    use std::alloc::{GlobalAlloc, Layout};
    use std::sync::atomic::{AtomicI64, Ordering};

    pub(super) static LIVE: AtomicI64 = AtomicI64::new(0);

    /// mimalloc, counting what is allocated and freed.
    pub struct CountingHeap;

    /// What the allocator answered, counting `change` bytes when it gave
    /// memory (a null answer changed nothing).
    fn counted(p: *mut u8, change: i64) -> *mut u8 {
        if !p.is_null() {
            LIVE.fetch_add(change, Ordering::Relaxed);
        }
        p
    }

    unsafe impl GlobalAlloc for CountingHeap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            counted(
                unsafe { mimalloc::MiMalloc.alloc(layout) },
                layout.size() as i64,
            )
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            counted(
                unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) },
                layout.size() as i64,
            )
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) };
            LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
            counted(p, new_size as i64 - layout.size() as i64)
        }
    }
}
