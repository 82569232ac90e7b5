//! Rows about how lots are labelled: `lot_schemes.csv` (a template per SKU
//! pattern, optionally of one supplier's lot codes) and the uniqueness of
//! `products.gtin`, a GTIN naming one trade item only.

use super::RejectKind;
use super::load::Ingester;
use super::parse;
use super::row::{Bad, Row, bad};
use crate::columns::{CODES, DESCRIPTION, GTIN, SKU_PATTERN, SUPPLIER_ID, TEMPLATE};
use crate::lotcode::scheme::{Field, Part, Scheme};
use crate::model::{FileKind, LotScheme};

/// A GTIN as 14 digits (GTIN-8/12/13 padded with leading zeros), the form
/// scanners deliver and the one two GTINs are compared in.
pub fn gtin14(gtin: &str) -> String {
    format!("{gtin:0>14}")
}

/// Reads `NAME=VALUE;NAME=VALUE` against the `{code:NAME}` fields of
/// `scheme`: every name one of them, none twice, no value empty.
fn codes_of(text: &str, scheme: &Scheme) -> Result<Vec<(String, String)>, String> {
    let names: Vec<&str> = scheme
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::Field(Field::Code(n)) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((name, value)) = item.split_once('=') else {
            return Err(format!("{} is not NAME=VALUE", parse::quoted(item)));
        };
        let (name, value) = (name.trim(), value.trim());
        if !names.contains(&name) {
            return Err(format!(
                "{} is not a {{code:NAME}} field of {}",
                parse::quoted(name),
                scheme.template
            ));
        }
        if value.is_empty() {
            return Err(format!("{} has an empty value", parse::quoted(name)));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(format!("{} is given twice", parse::quoted(name)));
        }
        out.push((name.to_string(), value.to_string()));
    }
    out.sort();
    Ok(out)
}

impl Ingester {
    pub(super) fn lot_scheme_row(&mut self, r: &Row, _line: u64) -> Result<(), Bad> {
        let sku_pattern = r.required(SKU_PATTERN)?;
        let template = r.required(TEMPLATE)?;
        let scheme = Scheme::parse(template)
            .map_err(|e| bad(TEMPLATE, RejectKind::BadTemplate, e.to_string()))?;
        let codes = match r.text(CODES) {
            Some(t) => codes_of(t, &scheme).map_err(|e| bad(CODES, RejectKind::BadCodes, e))?,
            None => Vec::new(),
        };
        let supplier = match r.text(SUPPLIER_ID) {
            Some(s) => Some((s, self.check_ref(FileKind::Suppliers, s, SUPPLIER_ID)?)),
            None => None,
        };
        let supplier = supplier.map(|(s, f)| self.supplier_commit(s, f));
        self.ds.lot_schemes.push(LotScheme {
            sku_pattern: sku_pattern.to_string(),
            template: template.to_string(),
            codes,
            supplier,
            description: r.opt_string(DESCRIPTION),
        });
        Ok(())
    }

    /// Is `gtin` new? A GTIN already given to another product rejects the
    /// row: a scan of it could not say which product it is.
    pub(super) fn gtin_unique(&self, gtin: &str) -> Result<(), Bad> {
        let key = gtin14(gtin);
        match self.gtins.get(&key) {
            Some((sku, line)) => Err(bad(
                GTIN,
                RejectKind::DuplicateKey,
                format!("duplicate \"{gtin}\" (first on line {line}, SKU {sku:?})"),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_name_the_templates_lookups() {
        let s = Scheme::parse("{code:flavour}-{yy}{jjj}{seq:2}").unwrap();
        assert_eq!(
            codes_of("flavour=01", &s).unwrap(),
            vec![("flavour".to_string(), "01".to_string())]
        );
        assert_eq!(codes_of(" ; ", &s).unwrap(), vec![]);
        assert!(
            codes_of("size=2", &s)
                .unwrap_err()
                .contains("not a {code:NAME}")
        );
        assert!(codes_of("flavour", &s).unwrap_err().contains("NAME=VALUE"));
        assert!(
            codes_of("flavour=1;flavour=2", &s)
                .unwrap_err()
                .contains("twice")
        );
        assert!(codes_of("flavour=", &s).unwrap_err().contains("empty"));
        assert_eq!(gtin14("12345670"), "00000012345670");
    }
}
