//! Lot codes: checking them as GS1 batch numbers and making them scannable
//! (issue 12). `check` computes check characters, `gs1` reads and writes GS1
//! element strings and Digital Link URIs, `scheme` writes and reads codes
//! under a company's template (docs/lot-codes.md), `audit` checks a
//! dataset's lot ids against one and `next` gives a day's next free code.

pub mod audit;
pub mod check;
pub mod gs1;
pub mod next;
pub mod rules;
pub mod scheme;
