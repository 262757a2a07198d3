//! Mail's I/O: reading a mailbox over IMAP (read-only). What a message says
//! is read by the pure `domain::mail`.

pub mod imap;
