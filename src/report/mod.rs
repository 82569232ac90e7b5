//! Reports: turning a command's typed result into text for people
//! (tables, trees, pages) and for programs (JSON, CSV, Parquet, DOT,
//! Mermaid). A command builds one [`Document`] from its typed rows
//! ([`row`]): serde writes its JSON, and the same rows become the
//! [`Tabular`] of typed cells that every other exporter renders, so a column
//! cannot exist in one format and not another. One file per format
//! ([`format::Format`] picks the exporter).

pub mod cell;
pub mod csv;
pub mod document;
pub mod format;
pub mod html;
pub mod json;
pub mod located;
pub mod markdown;
pub mod output;
pub mod parquet;
pub mod row;
pub mod table;
pub mod trace;

pub(crate) use cell::serialize_number;
pub use cell::{Cell, fmt_num, json_number, sanitize};
pub use document::Document;
pub use format::Format;
pub use json::{TableJson, TablesJson, write_json};
pub use output::{Output, open_output};
pub use table::Tabular;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn sample() -> Tabular {
        let mut t = Tabular::new(&["lot_id", "share", "quantity"]);
        t.push(vec![
            Cell::text("A,\"1\""),
            Cell::Share(2.0 / 3.0),
            Cell::Num(Some(1.5)),
        ]);
        t.push(vec![Cell::text("B\nC"), Cell::Share(1.0), Cell::Num(None)]);
        t
    }

    #[test]
    fn every_format_has_the_same_columns() {
        let t = sample();
        let mut csv = Vec::new();
        t.write_csv(&mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("lot_id,share,quantity\n"));
        // CSV quotes ids and keeps full precision.
        assert!(csv.contains("\"A,\"\"1\"\"\",0.6666666666666666,1.5"));
        let json = t.json_rows();
        assert_eq!(json[0]["share"], serde_json::json!(2.0 / 3.0));
        assert_eq!(json[1]["quantity"], Value::Null);
        assert_eq!(json[1]["lot_id"], "B\nC");
        let mut table = Vec::new();
        t.write_table(&mut table).unwrap();
        let table = String::from_utf8(table).unwrap();
        // Tables round shares and keep one record per line.
        assert_eq!(table.lines().count(), 3);
        assert!(table.contains("0.6667"));
    }

    #[test]
    fn numbers_print_like_people_write_them() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(2.5), "2.5");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333");
        assert_eq!(Cell::Prob(1.234e-7).render(false), "1.2e-7");
        assert_eq!(json_number(4.0), serde_json::json!(4));
        assert_eq!(json_number(0.25), serde_json::json!(0.25));
    }
}
