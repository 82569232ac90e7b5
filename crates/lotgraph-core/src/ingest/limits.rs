//! Caps on what one CSV file may make the ingest hold in memory, and the
//! options of an ingest that carry them. Without caps, a field that never
//! ends (an unclosed quote in a 10 GB file) grows one buffer until the
//! allocator aborts, and a header of 100k columns makes every later command
//! carry 100k extra properties. The caps are documented in
//! docs/record-format.md (*Ingest limits*); the CLI sets them with
//! `--max-field-bytes`, `--max-record-bytes` and `--max-columns`.

use std::fmt;

/// The caps of one ingest. A field or record over its cap is a rejected row
/// (the bytes past the cap are counted, not kept); a header with more
/// columns than `max_columns` refuses the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest field, in bytes as written in the file (quotes included).
    pub max_field_bytes: u64,
    /// Largest record, in bytes from its first byte to its line break.
    pub max_record_bytes: u64,
    /// Most columns a header may name.
    pub max_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_field_bytes: 1 << 20,
            max_record_bytes: 16 << 20,
            max_columns: 1024,
        }
    }
}

/// Options of an ingest beyond the dataset directory and its opener.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IngestOptions {
    pub limits: Limits,
}

/// The header line is read before an ingest's own caps apply, under this
/// fixed one: generous enough for `max_columns` far above the default, and
/// still a bound on a "header" that never ends.
pub const HEADER_MAX_BYTES: u64 = 64 << 20;

/// Bytes of each field kept in the `record` echo of rejects.csv: a longer
/// field is cut there and followed by `…[N bytes]`, so neither rejects.csv
/// nor its writer ever handles a huge field again.
pub const ECHO_FIELD_BYTES: usize = 256;

/// A byte count as people write limits: `1 MiB`, `64 KiB`, else `300 bytes`.
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const KIB: u64 = 1 << 10;
        const MIB: u64 = 1 << 20;
        const GIB: u64 = 1 << 30;
        match self.0 {
            n if n >= GIB && n % GIB == 0 => write!(f, "{} GiB", n / GIB),
            n if n >= MIB && n % MIB == 0 => write!(f, "{} MiB", n / MIB),
            n if n >= KIB && n % KIB == 0 => write!(f, "{} KiB", n / KIB),
            1 => write!(f, "1 byte"),
            n => write!(f, "{n} bytes"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_read_as_limits_are_written() {
        assert_eq!(Bytes(1 << 20).to_string(), "1 MiB");
        assert_eq!(Bytes(16 << 20).to_string(), "16 MiB");
        assert_eq!(Bytes(64 << 10).to_string(), "64 KiB");
        assert_eq!(Bytes(3 << 30).to_string(), "3 GiB");
        assert_eq!(Bytes(300).to_string(), "300 bytes");
        assert_eq!(Bytes(1025).to_string(), "1025 bytes");
        assert_eq!(Bytes(1).to_string(), "1 byte");
    }
}
