//! Questions answered over a dataset and its genealogy.

pub mod balance;
pub mod investigate;
pub mod locate;
pub mod recall;
pub mod returns;
pub mod stats;
pub mod suppliers;
