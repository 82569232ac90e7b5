//! `lotgraph lotcode gs1 LOT [--base URL]`: what goes on a lot's label: the
//! GS1 element string `(01)GTIN(10)LOT(17)YYMMDD` and the Digital Link URI
//! `https://id.gs1.org/01/{gtin}/10/{lot}?17={yymmdd}` (percent-encoded),
//! from the product's `gtin` and the lot's expiry (recorded, else derived
//! from the shelf life).

use crate::Status;
use crate::report::document::Json;
use crate::report::{Document, Format};
use chrono::NaiveDate;
use lotgraph_core::ingest::gtin14;
use lotgraph_core::lotcode::gs1::{self, Expiry, Gs1Keys, MAX_LOT_LEN, is_gs1_ai_value};
use lotgraph_core::model::{Dataset, LotIx};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Gs1Args {
    /// The lot id.
    pub lot: String,
    /// The Digital Link domain (a brand's own resolver, for example).
    #[arg(long, default_value = gs1::GS1_RESOLVER)]
    pub base: String,
    #[command(flatten)]
    pub report: crate::cmd::ReportArgs,
    #[command(flatten)]
    pub ws: crate::cmd::WorkspaceArgs,
}

/// `lotcode gs1 --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Gs1LotJson {
    pub lot_id: String,
    pub sku: String,
    /// 14 digits.
    pub gtin: String,
    /// AI (17); none when the lot has no expiry.
    pub expires_on: Option<NaiveDate>,
    /// `(01)…(10)…(17)…`.
    pub element_string: String,
    pub digital_link: String,
}

/// The GS1 keys of lot `id`: the product's GTIN (as 14 digits), the lot
/// id as AI (10) and its expiry as AI (17).
///
/// # Errors
/// No such lot, a product without `gtin`, or an id that cannot be AI (10).
fn keys_of(ds: &Dataset, id: &str) -> anyhow::Result<(LotIx, Gs1Keys)> {
    let Some(l) = ds.lot_ix(id) else {
        anyhow::bail!(
            "lot {id:?} is not in the snapshot ({} lots)",
            ds.lot_count()
        );
    };
    let product = ds.product_of(l);
    let Some(gtin) = product.gtin.as_deref() else {
        anyhow::bail!(
            "SKU {} has no gtin in products.csv: lot {id} cannot be labelled with GS1 keys",
            product.sku
        );
    };
    if !is_gs1_ai_value(id, MAX_LOT_LEN) {
        anyhow::bail!(
            "lot id {id:?} is not 1-20 characters of the GS1 set (no spaces, no #): it cannot be AI (10)"
        );
    }
    let keys = Gs1Keys {
        gtin: Some(gtin14(gtin)),
        lot: Some(id.to_string()),
        expiry: ds.expiry(l).map(|(d, _)| Expiry {
            yymmdd: d.format("%y%m%d").to_string(),
            date: d,
        }),
        serial: None,
    };
    Ok((l, keys))
}

/// The Digital Link URI on id.gs1.org of lot `id` (see `keys_of`).
///
/// # Errors
/// As `keys_of`.
pub fn digital_link_of(ds: &Dataset, id: &str) -> anyhow::Result<String> {
    let (_, keys) = keys_of(ds, id)?;
    Ok(gs1::digital_link(&keys, gs1::GS1_RESOLVER).unwrap_or_default())
}

pub(super) fn run(args: Gs1Args) -> anyhow::Result<Status> {
    let format = args
        .report
        .format_of("lotcode gs1", Format::Table, Format::DOCUMENT)?;
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let (l, keys) = keys_of(ds, &args.lot)?;
    let product = ds.product_of(l);
    let gtin = keys.gtin.clone().unwrap_or_default();
    let expires = keys.expiry.as_ref().map(|e| e.date);
    let link = gs1::digital_link(&keys, &args.base).unwrap_or_default();
    let row = Gs1LotJson {
        lot_id: args.lot.clone(),
        sku: product.sku.clone(),
        gtin,
        expires_on: expires,
        element_string: gs1::element_string(&keys),
        digital_link: link,
    };
    let mut doc = Document {
        title: format!("GS1 keys of lot {}", args.lot),
        ..Document::default()
    };
    if expires.is_none() {
        doc.notes
            .push("the lot has no expiry (recorded or from a shelf life): no AI (17)".into());
    }
    doc.push_table("gs1", std::slice::from_ref(&row))?;
    doc.json = Json::of(row);
    crate::after_writing(Status::Ok, args.report.emit_as(format, &doc))
}
