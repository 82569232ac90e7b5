//! Typed report rows. A command's rows are structs deriving `Serialize`
//! and `JsonSchema`: serde writes them as JSON, and [`table_of`] turns the
//! same values into the typed [`Cell`]s every other format renders, with
//! the struct's field names as the columns. So a column exists in every
//! format or in none, and the JSON Schema in `docs/schema/` is generated
//! from the very types that are written.
//!
//! Field types decide how formats render a value:
//! - [`Num`]: a quantity; JSON writes integral values without a fraction;
//! - [`Share`]: a fraction, four decimals in tables;
//! - [`Prob`]: a p-value, scientific notation in tables when tiny;
//! - `f64` as is (JSON keeps its `.0`), integers, `bool`, `String`,
//!   `NaiveDate` (a date column: Date32 in Parquet), `Option` of any of
//!   them (an empty cell, null in JSON), and `Vec<String>` (one cell,
//!   items joined with `;`).

use super::{Cell, Tabular};
use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::ser::{self, Impossible, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// Marker names the cell serialiser recognises in `serialize_newtype_struct`.
const NUM: &str = "lotgraph::Num";
const SHARE: &str = "lotgraph::Share";
const PROB: &str = "lotgraph::Prob";

/// A quantity or amount. JSON: integral values print without a fraction,
/// non-finite ones as null.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Num(pub f64);

/// A fraction in [0, 1]: four decimals in tables, full precision elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Share(pub f64);

/// A probability that may be tiny (a p-value): scientific notation in
/// tables, full precision elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Prob(pub f64);

/// The JSON form of report numbers: integral values as integers.
struct JsonNumber(f64);

impl Serialize for JsonNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        super::serialize_number(self.0, s)
    }
}

macro_rules! number_newtype {
    ($t:ident, $marker:ident, $doc:literal) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct($marker, &JsonNumber(self.0))
            }
        }

        impl JsonSchema for $t {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                stringify!($t).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "number", "description": $doc })
            }
        }
    };
}

number_newtype!(Num, NUM, "A quantity or amount.");
number_newtype!(Share, SHARE, "A fraction in [0, 1].");
number_newtype!(Prob, PROB, "A probability in [0, 1].");

/// What a column holds, read from the row type's schema: it decides the
/// empty cell of a null and whether text is a date.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum ColumnKind {
    /// Text (and anything that is not one of the others).
    Text,
    /// A number of any kind.
    Number,
    /// An ISO 8601 date.
    Date,
    /// `true`/`false`.
    Bool,
}

impl ColumnKind {
    fn empty(self) -> Cell {
        match self {
            ColumnKind::Number => Cell::Num(None),
            ColumnKind::Date => Cell::Date(None),
            ColumnKind::Text | ColumnKind::Bool => Cell::Text(None),
        }
    }
}

/// The columns of row type `R`, in field order, with their kinds.
fn columns_of<R: JsonSchema>() -> Vec<(&'static str, ColumnKind)> {
    let schema = SchemaGenerator::default().into_root_schema_for::<R>();
    let Some(props) = schema.get("properties").and_then(|p| p.as_object()) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, p)| (intern(name), kind_of(p)))
        .collect()
}

/// Column names live as long as the program: a report type has a handful,
/// and [`Tabular`] keeps `&'static str` columns.
fn intern(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut names = NAMES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let set = names.get_or_insert_with(HashSet::new);
    if let Some(n) = set.get(name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    set.insert(leaked);
    leaked
}

fn kind_of(p: &serde_json::Value) -> ColumnKind {
    let types: Vec<&str> = match p.get("type") {
        Some(serde_json::Value::String(t)) => vec![t.as_str()],
        Some(serde_json::Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str()).collect(),
        _ => Vec::new(),
    };
    let is_date = p.get("format").and_then(|f| f.as_str()) == Some("date");
    match types.iter().find(|t| **t != "null").copied() {
        Some("number" | "integer") => ColumnKind::Number,
        Some("boolean") => ColumnKind::Bool,
        Some("string") if is_date => ColumnKind::Date,
        _ => ColumnKind::Text,
    }
}

/// The table of `rows`: columns are `R`'s fields, cells their values.
///
/// # Errors
/// A field of a type a table cannot hold (a nested struct or map).
pub fn table_of<R: Serialize + JsonSchema>(rows: &[R]) -> Result<Tabular, RowError> {
    table_from(rows.iter())
}

/// The table of the rows `rows` yields, converted one at a time (a
/// per-lot report at 1M lots never holds its rows and its cells at once).
///
/// # Errors
/// A field of a type a table cannot hold (a nested struct or map).
pub fn table_from<R: Serialize + JsonSchema>(
    rows: impl ExactSizeIterator<Item = R>,
) -> Result<Tabular, RowError> {
    let columns = columns_of::<R>();
    let mut t = Tabular::new(&columns.iter().map(|c| c.0).collect::<Vec<_>>());
    t.rows.reserve(rows.len());
    for r in rows {
        let mut cells: Vec<Cell> = columns.iter().map(|c| c.1.empty()).collect();
        r.serialize(RowSerializer {
            columns: &columns,
            cells: &mut cells,
            next: 0,
        })?;
        t.rows.push(cells);
    }
    Ok(t)
}

/// A row value a table cannot hold.
#[derive(Debug, thiserror::Error)]
#[error("report row: {0}")]
pub struct RowError(String);

impl ser::Error for RowError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        RowError(msg.to_string())
    }
}

/// Serialises one row struct (or map) into its cells.
struct RowSerializer<'a> {
    columns: &'a [(&'static str, ColumnKind)],
    cells: &'a mut Vec<Cell>,
    /// The column the next field most likely is (fields come in order).
    next: usize,
}

impl RowSerializer<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), RowError> {
        // A field missing from the schema (skipped, renamed by hand) has no
        // column: refuse it rather than drop a value from some formats.
        let i = match self.columns.get(self.next) {
            Some(c) if c.0 == key => self.next,
            _ => self
                .columns
                .iter()
                .position(|c| c.0 == key)
                .ok_or_else(|| RowError(format!("field {key:?} is not a column")))?,
        };
        self.next = i + 1;
        self.cells[i] = value.serialize(CellSerializer {
            kind: self.columns[i].1,
        })?;
        Ok(())
    }
}

macro_rules! not_a_row {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), RowError> {
            Err(RowError("a row must be a struct".into()))
        })*
    };
}

impl<'a> Serializer for RowSerializer<'a> {
    type Ok = ();
    type Error = RowError;
    type SerializeSeq = Impossible<(), RowError>;
    type SerializeTuple = Impossible<(), RowError>;
    type SerializeTupleStruct = Impossible<(), RowError>;
    type SerializeTupleVariant = Impossible<(), RowError>;
    type SerializeMap = RowMap<'a>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), RowError>;

    not_a_row!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), RowError> {
        v.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), RowError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), RowError> {
        Err(RowError("a row must be a struct".into()))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, RowError> {
        Err(RowError("a row must be a struct".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, RowError> {
        Err(RowError("a row must be a struct".into()))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, RowError> {
        Err(RowError("a row must be a struct".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RowError> {
        Err(RowError("a row must be a struct".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<RowMap<'a>, RowError> {
        Ok(RowMap {
            row: self,
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, RowError> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RowError> {
        Err(RowError("a row must be a struct".into()))
    }
}

impl ser::SerializeStruct for RowSerializer<'_> {
    type Ok = ();
    type Error = RowError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), RowError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), RowError> {
        Ok(())
    }
}

/// A row written as a map (`#[serde(flatten)]` fields make serde do so).
struct RowMap<'a> {
    row: RowSerializer<'a>,
    key: Option<String>,
}

impl ser::SerializeMap for RowMap<'_> {
    type Ok = ();
    type Error = RowError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), RowError> {
        let k = key.serialize(CellSerializer {
            kind: ColumnKind::Text,
        })?;
        self.key = Some(k.render(true));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RowError> {
        let key = self.key.take().unwrap_or_default();
        self.row.field(&key, value)
    }
    fn end(self) -> Result<(), RowError> {
        Ok(())
    }
}

/// The compound forms a cell (or a number) never is: tuples, maps,
/// structs and enum variants with data.
macro_rules! no_compounds {
    ($ok:ty) => {
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<$ok, RowError> {
            not_a_cell()
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, RowError> {
            not_a_cell()
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, RowError> {
            not_a_cell()
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, RowError> {
            not_a_cell()
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, RowError> {
            not_a_cell()
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, RowError> {
            not_a_cell()
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, RowError> {
            not_a_cell()
        }
    };
}

/// Serialises one field value into a [`Cell`].
struct CellSerializer {
    kind: ColumnKind,
}

impl CellSerializer {
    fn text(&self, s: &str) -> Cell {
        match self.kind {
            ColumnKind::Date => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_or_else(|_| Cell::text(s), |d| Cell::Date(Some(d))),
            _ => Cell::text(s),
        }
    }
}

/// Extracts the number inside a [`Num`], [`Share`] or [`Prob`].
struct NumberOf;

fn not_a_cell<T>() -> Result<T, RowError> {
    Err(RowError(
        "a field must be a number, text, a date, a bool or a list of text".into(),
    ))
}

impl Serializer for CellSerializer {
    type Ok = Cell;
    type Error = RowError;
    type SerializeSeq = JoinedText;
    type SerializeTuple = Impossible<Cell, RowError>;
    type SerializeTupleStruct = Impossible<Cell, RowError>;
    type SerializeTupleVariant = Impossible<Cell, RowError>;
    type SerializeMap = Impossible<Cell, RowError>;
    type SerializeStruct = Impossible<Cell, RowError>;
    type SerializeStructVariant = Impossible<Cell, RowError>;

    fn serialize_bool(self, v: bool) -> Result<Cell, RowError> {
        Ok(Cell::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Cell, RowError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Cell, RowError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Cell, RowError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Cell, RowError> {
        Ok(u64::try_from(v).map_or(Cell::Num(Some(v as f64)), Cell::Int))
    }
    fn serialize_u8(self, v: u8) -> Result<Cell, RowError> {
        Ok(Cell::Int(u64::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<Cell, RowError> {
        Ok(Cell::Int(u64::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<Cell, RowError> {
        Ok(Cell::Int(u64::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<Cell, RowError> {
        Ok(Cell::Int(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Cell, RowError> {
        Ok(Cell::Num(Some(f64::from(v))))
    }
    fn serialize_f64(self, v: f64) -> Result<Cell, RowError> {
        Ok(Cell::Num(Some(v)))
    }
    fn serialize_char(self, v: char) -> Result<Cell, RowError> {
        Ok(Cell::text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Cell, RowError> {
        Ok(self.text(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Cell, RowError> {
        not_a_cell()
    }
    fn serialize_none(self) -> Result<Cell, RowError> {
        Ok(self.kind.empty())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Cell, RowError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Cell, RowError> {
        Ok(self.kind.empty())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Cell, RowError> {
        Ok(self.kind.empty())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Cell, RowError> {
        Ok(Cell::text(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<Cell, RowError> {
        let number = || v.serialize(NumberOf);
        match name {
            NUM => Ok(Cell::Num(number()?)),
            SHARE => Ok(number()?.map_or(Cell::Num(None), Cell::Share)),
            PROB => Ok(number()?.map_or(Cell::Num(None), Cell::Prob)),
            _ => v.serialize(self),
        }
    }
    no_compounds!(Cell);
    fn serialize_seq(self, _: Option<usize>) -> Result<JoinedText, RowError> {
        Ok(JoinedText(String::new(), 0))
    }
}

/// A list of text in one cell: items joined with `;` (count kept so an
/// empty list is an empty cell).
struct JoinedText(String, usize);

impl ser::SerializeSeq for JoinedText {
    type Ok = Cell;
    type Error = RowError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), RowError> {
        let item = v
            .serialize(CellSerializer {
                kind: ColumnKind::Text,
            })?
            .render(true);
        if self.1 > 0 {
            self.0.push(';');
        }
        self.0.push_str(&item);
        self.1 += 1;
        Ok(())
    }
    fn end(self) -> Result<Cell, RowError> {
        Ok(Cell::Text(Some(self.0)))
    }
}

macro_rules! number_of {
    ($($method:ident($t:ty)),* $(,)?) => {
        $(#[allow(clippy::cast_lossless, reason = "one body for every integer width")]
        fn $method(self, v: $t) -> Result<Option<f64>, RowError> {
            Ok(Some(v as f64))
        })*
    };
}

impl Serializer for NumberOf {
    type Ok = Option<f64>;
    type Error = RowError;
    type SerializeSeq = Impossible<Option<f64>, RowError>;
    type SerializeTuple = Impossible<Option<f64>, RowError>;
    type SerializeTupleStruct = Impossible<Option<f64>, RowError>;
    type SerializeTupleVariant = Impossible<Option<f64>, RowError>;
    type SerializeMap = Impossible<Option<f64>, RowError>;
    type SerializeStruct = Impossible<Option<f64>, RowError>;
    type SerializeStructVariant = Impossible<Option<f64>, RowError>;

    number_of!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
    );
    fn serialize_none(self) -> Result<Option<f64>, RowError> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Option<f64>, RowError> {
        v.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<Option<f64>, RowError> {
        not_a_cell()
    }
    fn serialize_char(self, _: char) -> Result<Option<f64>, RowError> {
        not_a_cell()
    }
    fn serialize_str(self, _: &str) -> Result<Option<f64>, RowError> {
        not_a_cell()
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Option<f64>, RowError> {
        not_a_cell()
    }
    fn serialize_unit(self) -> Result<Option<f64>, RowError> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Option<f64>, RowError> {
        not_a_cell()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<Option<f64>, RowError> {
        not_a_cell()
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Option<f64>, RowError> {
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, RowError> {
        not_a_cell()
    }
    no_compounds!(Option<f64>);
}

/// A JSON object whose keys are data (units of measure, scenario names),
/// in the order given: serialised as a map, described as an object whose
/// every property is a `V`.
#[derive(Debug, Clone, Default)]
pub struct Keyed<V>(pub Vec<(String, V)>);

impl<V: Serialize> Serialize for Keyed<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<V: JsonSchema> JsonSchema for Keyed<V> {
    fn schema_name() -> Cow<'static, str> {
        format!("Keyed_{}", V::schema_name()).into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "additionalProperties": g.subschema_for::<V>() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, JsonSchema)]
    struct Sample {
        lot_id: String,
        share: Share,
        quantity: Option<Num>,
        made_on: Option<NaiveDate>,
        flagged: bool,
        n: u64,
        lots: Vec<String>,
    }

    #[test]
    fn a_row_is_its_fields_in_every_format() {
        let rows = [
            Sample {
                lot_id: "A".into(),
                share: Share(2.0 / 3.0),
                quantity: Some(Num(3.0)),
                made_on: NaiveDate::from_ymd_opt(2024, 1, 2),
                flagged: true,
                n: 7,
                lots: vec!["X".into(), "Y".into()],
            },
            Sample {
                lot_id: "B".into(),
                share: Share(1.0),
                quantity: None,
                made_on: None,
                flagged: false,
                n: 0,
                lots: vec![],
            },
        ];
        let t = table_of(&rows).unwrap();
        assert_eq!(
            t.columns,
            [
                "lot_id", "share", "quantity", "made_on", "flagged", "n", "lots"
            ]
        );
        assert_eq!(t.rows[0][1], Cell::Share(2.0 / 3.0));
        assert_eq!(t.rows[0][2], Cell::Num(Some(3.0)));
        assert_eq!(
            t.rows[0][3],
            Cell::Date(NaiveDate::from_ymd_opt(2024, 1, 2))
        );
        assert_eq!(t.rows[0][6], Cell::text("X;Y"));
        // Nulls keep their column's kind (numbers stay right-aligned).
        assert_eq!(t.rows[1][2], Cell::Num(None));
        assert_eq!(t.rows[1][3], Cell::Date(None));
        // JSON: the same keys, quantities without a needless fraction.
        let json = serde_json::to_value(&rows[0]).unwrap();
        assert_eq!(json["quantity"], serde_json::json!(3));
        assert_eq!(json["share"], serde_json::json!(2.0 / 3.0));
        assert_eq!(json["made_on"], "2024-01-02");
        let empty: [Sample; 0] = [];
        assert_eq!(table_of(&empty).unwrap().columns.len(), 7);
    }
}
