//! What is wrong with a CSV file as a whole, found before or while its
//! header is read: an empty file, only blank lines, UTF-16 text, a header
//! with a NUL byte or an unclosed quote, too many columns. Each is one
//! [`FileProblem`] naming the file (and the line, when there is one). A
//! required file with such a problem refuses the ingest (exit 2); an
//! optional file that is merely empty is read as a table with no rows.

use super::IngestError;
use crate::model::FileKind;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes looked at before the parser starts.
const SNIFF_BYTES: usize = 4096;

/// Why a file has no header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoHeader {
    /// The file has 0 bytes.
    Empty,
    /// The file holds only line breaks (and perhaps a UTF-8 byte-order mark).
    BlankLines,
}

impl fmt::Display for NoHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NoHeader::Empty => "is empty (0 bytes)",
            NoHeader::BlankLines => "has no header line (only blank lines)",
        })
    }
}

/// Byte order of UTF-16 text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// What is wrong with a header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderProblem {
    /// Column `column` (1-based) holds a NUL byte.
    Nul { column: usize },
    /// The quoted name of column `column` is never closed.
    Unclosed { column: usize, eof_line: u64 },
    /// The header line is longer than the fixed header cap.
    TooLong { bytes: u64, limit: u64 },
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderProblem::Nul { column } => write!(
                f,
                "has a NUL byte in column {column}; a column name cannot hold one (is this a binary or damaged file?)"
            ),
            HeaderProblem::Unclosed { column, eof_line } => write!(
                f,
                "has a quoted name in column {column} that is never closed (the file ends inside it, on line {eof_line})"
            ),
            HeaderProblem::TooLong { bytes, limit } => write!(
                f,
                "is {bytes} bytes, over the {} limit of a header line",
                super::limits::Bytes(*limit)
            ),
        }
    }
}

/// A file that cannot be read as a table.
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    /// Empty, or only blank lines.
    #[error("{file}: {why}; expected a header line with {}", expected_header(file))]
    NoHeader { file: String, why: NoHeader },
    /// UTF-16 text, found by its byte-order mark or by NUL bytes every
    /// other byte of its first line.
    #[error(
        "{file}: is UTF-16 ({}, {}); lotgraph reads UTF-8: convert it, e.g. iconv -f {} -t UTF-8",
        match endian { Endian::Little => "little-endian", Endian::Big => "big-endian" },
        if *bom { "BOM" } else { "no BOM" },
        iconv_name(*endian, *bom)
    )]
    Utf16 {
        file: String,
        endian: Endian,
        bom: bool,
    },
    /// The header line on `line` is unusable.
    #[error("{file}:{line}: header {problem}")]
    Header {
        file: String,
        line: u64,
        problem: HeaderProblem,
    },
    /// The header names more columns than the limit.
    #[error("{file}: header has {columns} columns, over the limit of {limit} (--max-columns)")]
    TooManyColumns {
        file: String,
        columns: usize,
        limit: usize,
    },
}

/// iconv's name for the encoding: with a BOM `UTF-16` finds the byte order
/// itself; without one it would assume big-endian.
fn iconv_name(endian: Endian, bom: bool) -> &'static str {
    match (bom, endian) {
        (true, _) => "UTF-16",
        (false, Endian::Little) => "UTF-16LE",
        (false, Endian::Big) => "UTF-16BE",
    }
}

/// The required columns of the file named `file`, for messages.
fn expected_header(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    match FileKind::ALL.iter().find(|k| k.stem() == stem) {
        Some(k) => k.required().join(", "),
        None => "its column names".into(),
    }
}

/// Looks at the first bytes of `file` (of `len` bytes) and leaves it at the
/// offset the parser should start from: past a UTF-8 byte-order mark (so no
/// offset, line or first column name ever includes it), else 0.
pub fn sniff<F: Read + Seek>(file: &mut F, path: &Path, len: u64) -> Result<u64, IngestError> {
    let name = super::source::file_name(path);
    if len == 0 {
        return Err(FileProblem::NoHeader {
            file: name,
            why: NoHeader::Empty,
        }
        .into());
    }
    let io = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.by_ref()
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let utf16 = |endian, bom| {
        IngestError::from(FileProblem::Utf16 {
            file: name.clone(),
            endian,
            bom,
        })
    };
    let start = match head.as_slice() {
        [0xFF, 0xFE, ..] => return Err(utf16(Endian::Little, true)),
        [0xFE, 0xFF, ..] => return Err(utf16(Endian::Big, true)),
        [0xEF, 0xBB, 0xBF, ..] => 3,
        _ => 0,
    };
    if start == 0
        && let Some(endian) = utf16_without_bom(&head)
    {
        return Err(utf16(endian, false));
    }
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    Ok(start)
}

/// UTF-16 text of mostly ASCII (as column names are) has a NUL in every
/// pair of its first line: second (little-endian) or first (big-endian).
fn utf16_without_bom(head: &[u8]) -> Option<Endian> {
    let line = head.split(|b| *b == b'\n').next().unwrap_or(head);
    let pairs: Vec<&[u8]> = line.chunks_exact(2).collect();
    if pairs.len() < 2 {
        return None;
    }
    if pairs.iter().all(|p| p[0] != 0 && p[1] == 0) {
        Some(Endian::Little)
    } else if pairs.iter().all(|p| p[0] == 0 && p[1] != 0) {
        Some(Endian::Big)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn sniffed(bytes: &[u8]) -> Result<u64, String> {
        let mut c = Cursor::new(bytes.to_vec());
        sniff(&mut c, Path::new("d/lots.csv"), bytes.len() as u64).map_err(|e| e.to_string())
    }

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn encodings_are_named_with_the_way_out() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16le("lot_id,sku\r\n"));
        assert_eq!(
            sniffed(&le).unwrap_err(),
            "lots.csv: is UTF-16 (little-endian, BOM); lotgraph reads UTF-8: convert it, e.g. iconv -f UTF-16 -t UTF-8"
        );
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("lot_id\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert!(sniffed(&be).unwrap_err().contains("(big-endian, BOM)"));
        assert!(sniffed(&utf16le("lot_id,sku\n")).unwrap_err().contains(
            "(little-endian, no BOM); lotgraph reads UTF-8: convert it, e.g. iconv -f UTF-16LE"
        ));
        assert_eq!(sniffed(b"\xEF\xBB\xBFlot_id\n"), Ok(3));
        assert_eq!(sniffed(b"lot_id\n"), Ok(0));
        // One NUL is not UTF-16 (the header check names it instead).
        assert_eq!(sniffed(b"lot_id,s\0u,x\n"), Ok(0));
        assert_eq!(
            sniffed(b"").unwrap_err(),
            "lots.csv: is empty (0 bytes); expected a header line with lot_id, sku, origin, quantity"
        );
    }
}
