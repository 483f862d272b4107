//! The one-pass decoder writes frames straight into vectors' spare
//! capacity (see `src/decode/fast.rs`); when it gives up half-way through
//! an aggregate, what it wrote must be freed, and nothing else. A counting
//! allocator checks that every byte allocated while decoding such inputs is
//! freed once the frames and the decoder are dropped.
//!
//! One test in its own binary, and only its own thread's allocations
//! counted: the test harness's threads allocate when they like (a full
//! run on a loaded machine once counted 900 bytes of theirs).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

use resp_core::{Decoder, Status};

/// Bytes currently allocated through the global allocator by threads
/// that count.
static LIVE: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    /// Whether this thread's allocations count (a constant initializer:
    /// reading it never allocates).
    static COUNTS: Cell<bool> = const { Cell::new(false) };
}

fn counts() -> bool {
    COUNTS.try_with(Cell::get).unwrap_or(false)
}

struct Counting;

// SAFETY: every call is passed on unchanged to the system allocator; the
// counter only observes sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counts() {
            LIVE.fetch_add(layout.size() as isize, Ordering::SeqCst);
        }
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counts() {
            LIVE.fetch_sub(layout.size() as isize, Ordering::SeqCst);
        }
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Decodes every frame of `input` whole, then drops everything.
fn decode_all(input: &[u8]) -> usize {
    let mut decoder = Decoder::new();
    let mut rest = input;
    let mut frames = 0;
    while let Ok(Status::Complete((frame, used))) = decoder.decode(rest) {
        drop(frame);
        rest = &rest[used..];
        frames += 1;
    }
    frames
}

#[test]
fn giving_up_half_way_frees_what_was_built() {
    let inputs: &[&[u8]] = &[
        // A map whose second value fails after its key, an array that owns
        // memory, was written: the key and the first pair must be freed.
        b"%2\r\n*1\r\n$1\r\na\r\n$1\r\nb\r\n*1\r\n$1\r\nc\r\n$1\r\nXY\r\n",
        // An array that fails after two nested arrays were written.
        b"*3\r\n*1\r\n:1\r\n*1\r\n:2\r\n$5\r\nab\r\n",
        // Nested failures two levels down.
        b"*2\r\n*2\r\n*1\r\n:1\r\n$1\r\nZZ\r\n:3\r\n",
        // Partial input: the one-pass path gives up at the end of the buffer.
        b"*2\r\n*1\r\n$3\r\nabc\r\n*1\r\n$3\r\nab",
        // And frames that complete, for contrast.
        b"*2\r\n*1\r\n$3\r\nabc\r\n%1\r\n$1\r\nk\r\n*1\r\n,1.5\r\n",
    ];
    COUNTS.with(|c| c.set(true));
    // Warm up whatever std allocates once.
    for input in inputs {
        decode_all(input);
    }
    let before = LIVE.load(Ordering::SeqCst);
    let mut frames = 0;
    for _ in 0..100 {
        for input in inputs {
            frames += decode_all(input);
        }
    }
    let after = LIVE.load(Ordering::SeqCst);
    assert_eq!(frames, 100, "only the last input decodes, once per round");
    assert_eq!(after, before, "bytes still allocated after decoding");
}
