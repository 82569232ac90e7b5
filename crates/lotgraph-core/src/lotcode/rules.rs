//! Which scheme a code follows: the dataset's `lot_schemes.csv` rows (or
//! one template given on the command line) as parsed rules, the first rule
//! whose SKU pattern matches a lot's SKU governing its id, and the first
//! that also names its supplier governing its `supplier_lot_code`.

use super::scheme::{Field, Reading, Scheme, SchemeError};
use crate::model::{Dataset, SupplierIx};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One parsed scheme with what it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub scheme: Scheme,
    /// SKUs it covers (`*` = any text).
    pub sku_pattern: String,
    /// Values its `{code:NAME}` fields take for these SKUs.
    pub codes: BTreeMap<String, String>,
    /// Set: it governs this supplier's lot codes, not lot ids.
    pub supplier: Option<SupplierIx>,
}

/// Schemes in the order they were declared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

/// Does `sku` match `pattern` (`*` = any text, case-sensitive)?
///
/// ```
/// use lotgraph_core::lotcode::rules::matches_pattern;
/// assert!(matches_pattern("HUM-01-*", "HUM-01-10"));
/// assert!(matches_pattern("*", "ING-TAHINI"));
/// assert!(!matches_pattern("HUM-01-*", "HUM-02-10"));
/// assert!(matches_pattern("*-10", "HUM-01-10"));
/// ```
pub fn matches_pattern(pattern: &str, sku: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return true;
    };
    if parts.len() == 1 {
        return pattern == sku;
    }
    if sku.len() < first.len() + last.len() || !sku.starts_with(first) || !sku.ends_with(last) {
        return false;
    }
    let mut rest = &sku[first.len()..sku.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

impl Rule {
    /// The fields of `r` that contradict this rule's lookup values, as
    /// `(field name, value read, value the rule gives)`.
    pub fn code_conflicts(&self, r: &Reading) -> Vec<(String, String, String)> {
        r.fields
            .iter()
            .filter_map(|(f, text)| match f {
                Field::Code(name) => {
                    let want = self.codes.get(name)?;
                    (want != text).then(|| (name.clone(), text.clone(), want.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// Every reading of `code` that agrees with the lookup values.
    pub fn read_agreeing(&self, code: &str, reference: NaiveDate) -> Vec<Reading> {
        let mut rs = self.scheme.read(code, reference);
        rs.retain(|r| self.code_conflicts(r).is_empty());
        rs
    }
}

impl Rules {
    /// The dataset's schemes (`lot_schemes.csv`), in file order.
    ///
    /// # Errors
    /// A template that does not parse (ingest rejects those, so only a
    /// snapshot written by another build can hold one).
    pub fn of_dataset(ds: &Dataset) -> Result<Rules, SchemeError> {
        let mut rules = Vec::with_capacity(ds.lot_schemes.len());
        for s in &*ds.lot_schemes {
            rules.push(Rule {
                scheme: Scheme::parse(&s.template)?,
                sku_pattern: s.sku_pattern.clone(),
                codes: s.codes.iter().cloned().collect(),
                supplier: s.supplier,
            });
        }
        Ok(Rules { rules })
    }

    /// One scheme for the lot ids of every SKU matching `sku_pattern`.
    pub fn single(scheme: Scheme, sku_pattern: &str) -> Rules {
        Rules {
            rules: vec![Rule {
                scheme,
                sku_pattern: sku_pattern.to_string(),
                codes: BTreeMap::new(),
                supplier: None,
            }],
        }
    }

    /// Are there no schemes?
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule of the lot ids of `sku`: the first one without a supplier
    /// whose pattern matches.
    pub fn for_lot_id(&self, sku: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.supplier.is_none() && matches_pattern(&r.sku_pattern, sku))
    }

    /// The rule of `supplier`'s lot codes for `sku`.
    pub fn for_supplier_code(&self, sku: &str, supplier: SupplierIx) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.supplier == Some(supplier) && matches_pattern(&r.sku_pattern, sku))
    }

    /// The rule of lot ids per SKU index of `ds` (`None`: no rule), so
    /// that a pass over the lots matches no pattern for their ids.
    pub fn by_sku(&self, ds: &Dataset) -> Vec<Option<usize>> {
        ds.products
            .iter()
            .map(|p| {
                self.rules
                    .iter()
                    .position(|r| r.supplier.is_none() && matches_pattern(&r.sku_pattern, &p.sku))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_skus() {
        assert!(matches_pattern("HUM-*-10", "HUM-01-10"));
        assert!(!matches_pattern("HUM-*-10", "HUM-01-20"));
        assert!(!matches_pattern("A*A", "A"));
        assert!(matches_pattern("A*A", "AA"));
        assert!(matches_pattern("**", ""));
        assert!(!matches_pattern("X", "XY"));
    }

    #[test]
    fn lookup_values_decide_between_rules() {
        let mk = |p: &str, v: &str| Rule {
            scheme: Scheme::parse("{code:flavour}-{yy}{jjj}{seq:2}").unwrap(),
            sku_pattern: p.into(),
            codes: [("flavour".to_string(), v.to_string())].into(),
            supplier: None,
        };
        let rules = Rules {
            rules: vec![mk("HUM-01-*", "01"), mk("HUM-02-*", "02")],
        };
        let on = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        let fits: Vec<&str> = rules
            .rules
            .iter()
            .filter(|r| !r.read_agreeing("01-2134303", on).is_empty())
            .map(|r| r.sku_pattern.as_str())
            .collect();
        assert_eq!(fits, ["HUM-01-*"]);
        let r = &rules.rules[1];
        let reading = &r.scheme.read("01-2134303", on)[0];
        assert_eq!(
            r.code_conflicts(reading),
            [("flavour".to_string(), "01".to_string(), "02".to_string())]
        );
        assert_eq!(
            rules
                .for_lot_id("HUM-02-20")
                .map(|r| r.sku_pattern.as_str()),
            Some("HUM-02-*")
        );
        assert!(rules.for_lot_id("ING-TAHINI").is_none());
    }
}
