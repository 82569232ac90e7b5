//! Questions answered over a dataset and its genealogy.

pub mod balance;
