//! The next free lot code of a day under a scheme: one more than the
//! highest batch of that day among the dataset's lots of the SKU.

use super::scheme::{Field, Scheme, Values, WriteError};
use crate::model::{Dataset, LotIx};

/// The next code for `v.date` (its `seq` is replaced): the highest batch
/// of that day among the lots of `sku` whose ids read under `scheme` with
/// the same fields as the new code (flavour, site, line), plus one; 1 on a
/// day without any.
///
/// Result: the code and its batch number. O(lots × readings).
///
/// # Errors
/// The scheme has no `{seq:N}`, a field without a value, or the day's
/// batches are used up (`{seq:2}` after batch 99).
///
/// ```
/// use lotgraph_core::lotcode::scheme::{Scheme, Values};
/// let s = Scheme::parse("{yy}{jjj}{seq:2}").unwrap();
/// let v = Values { date: chrono::NaiveDate::from_ymd_opt(2021, 12, 9), seq: 1, ..Values::default() };
/// assert_eq!(s.write(&v).unwrap(), "2134301");
/// ```
pub fn next_code(
    ds: &Dataset,
    scheme: &Scheme,
    sku: &str,
    v: &Values,
) -> Result<(String, u32), WriteError> {
    if !scheme
        .parts
        .iter()
        .any(|p| matches!(p, super::scheme::Part::Field(Field::Seq(_))))
    {
        return Err(WriteError::Missing("seq:N".into()));
    }
    // The new code's own fields other than the batch: a lot of another
    // flavour or site that day has its own sequence.
    let probe = scheme.write(&Values {
        seq: 0,
        ..v.clone()
    })?;
    let Some(date) = v.date else {
        return Err(WriteError::NoDate("seq:N".into()));
    };
    let key = |fields: &[(Field, String)]| -> Vec<(Field, String)> {
        fields
            .iter()
            .filter(|(f, _)| !matches!(f, Field::Seq(_) | Field::Check(_)))
            .cloned()
            .collect()
    };
    let want: Vec<(Field, String)> = scheme
        .read(&probe, date)
        .first()
        .map(|r| key(&r.fields))
        .unwrap_or_default();
    let mut highest = 0;
    for i in 0..ds.lot_count() {
        let l = LotIx::from_ix(i);
        if ds.product_of(l).sku != sku {
            continue;
        }
        for r in scheme.read(ds.lot_id(l), date) {
            if r.date == Some(date) && key(&r.fields) == want {
                highest = highest.max(r.seq.unwrap_or(0));
            }
        }
    }
    let seq = highest + 1;
    let code = scheme.write(&Values { seq, ..v.clone() })?;
    Ok((code, seq))
}
