//! Mail's I/O side: reading a message's bytes (`parse`). What a message
//! says about an application is decided by the pure `domain::mail`.

pub mod parse;

#[cfg(test)]
mod corpus;
