//! Mail's I/O: reading a mailbox over IMAP (read-only), and a message's
//! bytes parsed. What a message says about an application is decided by
//! the pure `domain::mail`.

pub mod imap;
pub mod parse;

#[cfg(test)]
mod corpus;
