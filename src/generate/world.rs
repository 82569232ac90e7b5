//! The static network of a generated dataset: regions, plants with mixing
//! and filling lines, raw-material warehouses, distribution centres,
//! suppliers with hidden quality levels, the product catalogue with
//! recipes (premix → base → finished goods → multipacks), customers, and
//! the planted faults' hidden parameters. Its size grows with the number of
//! lots asked for, so that a plant stays plant-sized and a large dataset is
//! a larger company rather than a denser one.

use super::names;
use super::rng::{Rng, mix};
use super::sink::{Calendar, push_padded};

/// Hidden quality level of a supplier: how often its lots fail incoming
/// inspection. `Bad` is only ever planted (fault kind `supplier`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Level {
    /// Hardly ever fails (0.5 %).
    Excellent,
    /// The usual supplier (1.5 %).
    Good,
    /// Fails now and then (3 %).
    Fair,
    /// Fails often (6 %).
    Poor,
    /// Planted: fails a lot (15 %) and ships defective lots.
    Bad,
}

impl Level {
    /// As in truth.json.
    pub fn name(self) -> &'static str {
        match self {
            Level::Excellent => "excellent",
            Level::Good => "good",
            Level::Fair => "fair",
            Level::Poor => "poor",
            Level::Bad => "bad",
        }
    }

    /// Typical incoming-inspection fail rate of the level.
    pub fn fail_rate(self) -> f64 {
        match self {
            Level::Excellent => 0.005,
            Level::Good => 0.015,
            Level::Fair => 0.03,
            Level::Poor => 0.06,
            Level::Bad => 0.15,
        }
    }
}

pub struct Supplier {
    pub id: String,
    pub name: String,
    pub country: &'static str,
    pub level: Level,
    /// Probability that an inspected lot fails.
    pub fail_rate: f64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Category {
    /// A supplied ingredient.
    Raw,
    /// Supplied packaging (containers, film).
    Packaging,
    /// Made and used at a plant (premix, base).
    Intermediate,
    /// Sold: finished goods and multipacks.
    Finished,
}

impl Category {
    /// As in products.csv.
    pub fn name(self) -> &'static str {
        match self {
            Category::Raw => "raw",
            Category::Packaging => "packaging",
            Category::Intermediate => "intermediate",
            Category::Finished => "finished",
        }
    }
}

/// One product. Quantities of every SKU are kept in tenths of its unit
/// (`ea` SKUs always in whole units, i.e. multiples of 10 tenths).
pub struct Sku {
    pub code: String,
    pub name: String,
    pub category: Category,
    pub uom: &'static str,
    pub shelf_life: u32,
    /// Cost per unit in thousandths.
    pub unit_cost: u64,
    /// Typical lot size (tenths) of a supplied SKU.
    pub lot_size: u64,
    /// Lot sizes are rounded up to a multiple of this (tenths): bags,
    /// drums, pallets.
    pub pack: u64,
    /// Approved suppliers (indices) of a supplied SKU.
    pub suppliers: Vec<usize>,
    /// Mass of one unit in grams (products.csv `kg_per_uom`), `None` for
    /// `kg` SKUs, whose unit implies it. Liquids carry their density,
    /// packaging its empty mass, finished goods and multipacks their net
    /// content (packaging not counted, like the content-mass basis of the
    /// inputs they are made of).
    pub grams: Option<u64>,
}

impl Sku {
    /// Whole units (`ea`) or decimals?
    pub fn whole(&self) -> bool {
        self.uom == "ea"
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SiteKind {
    /// Makes products on its mixing and filling lines.
    Plant,
    /// A region's raw-material warehouse.
    Warehouse,
    /// A distribution centre: sells to customers, makes multipacks.
    Dc,
}

pub struct Site {
    pub id: String,
    pub name: String,
    pub kind: SiteKind,
    pub region: usize,
    /// Customers served (distribution centres).
    pub customers: Vec<usize>,
    /// Repack line (distribution centres).
    pub repack_line: usize,
}

pub struct Plant {
    pub site: usize,
    /// The region's raw-material warehouse (site index).
    pub warehouse: usize,
    /// Distribution centres it ships to (site indices), its region's first.
    pub dcs: Vec<usize>,
}

pub struct Premix {
    pub sku: usize,
    /// (raw SKU, per mille of the input mass).
    pub recipe: Vec<(usize, u64)>,
    /// Typical batch (tenths of kg).
    pub batch: u64,
}

pub struct Variant {
    pub sku: usize,
    /// Net weight of one unit in grams.
    pub grams: u64,
}

pub struct Club {
    /// One multipack SKU per variant of the family (same order as
    /// `Family::variants`): a multipack holds units of the lot it is made
    /// from, so its mass follows that lot's variant.
    pub skus: Vec<usize>,
    /// Units of the finished SKU per multipack.
    pub pack: u64,
    /// Secondary packaging SKU used by the distribution centre.
    pub shrink: usize,
}

/// A product family made at one plant: an optional premix, a base
/// intermediate mixed on a mixing line, finished variants filled on a
/// filling line, and perhaps a multipack made at distribution centres.
pub struct Family {
    pub plant: usize,
    pub premix: Option<Premix>,
    /// Per mille of the base's input mass that is premix.
    pub premix_permille: u64,
    pub base_sku: usize,
    /// (raw SKU, per mille of the input mass).
    pub base_recipe: Vec<(usize, u64)>,
    /// Output mass per input mass, per mille.
    pub yield_permille: u64,
    /// Typical base batch (tenths of kg of output).
    pub base_batch: u64,
    pub mix_line: usize,
    pub fill_line: usize,
    pub variants: Vec<Variant>,
    /// (raw SKU, grams per finished unit) added at filling.
    pub minors: Vec<(usize, u64)>,
    /// Packaging SKUs, one of each per unit.
    pub packaging: Vec<usize>,
    /// Typical finished batch in units (a multiple of 12).
    pub batch_units: u64,
    pub club: Option<Club>,
    /// Multiplier of the background return rate (fragile packs, picky
    /// buyers).
    pub background: f64,
}

pub struct Customer {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub region: usize,
}

/// How big the company is for a number of lots.
#[derive(Copy, Clone, Debug)]
pub struct Scale {
    pub days: i32,
    pub families: usize,
    pub plants: usize,
    pub regions: usize,
    pub customers: usize,
    pub suppliers: usize,
    pub raw: usize,
    pub packaging: usize,
}

impl Scale {
    /// About ten lots per family and day over up to two years.
    pub fn for_lots(n: u64) -> Scale {
        let days = (n / 100).clamp(60, 730) as i32;
        let per_day = n as f64 / f64::from(days);
        let families = ((per_day / 10.0).round() as usize).max(2);
        let plants = families.div_ceil(5).max(2);
        Scale {
            days,
            families,
            plants,
            regions: plants.div_ceil(4).clamp(2, names::REGIONS.len()),
            customers: (n / 100).clamp(30, 50_000) as usize,
            suppliers: (n / 2_000).clamp(12, 3_000) as usize,
            raw: (families * 2).clamp(12, 600),
            packaging: (families / 2).clamp(6, 200),
        }
    }
}

pub struct World {
    pub cal: Calendar,
    pub scale: Scale,
    pub seed: u64,
    pub suppliers: Vec<Supplier>,
    /// Supplied SKUs first (`0..supplied`), then made ones.
    pub skus: Vec<Sku>,
    pub supplied: usize,
    pub sites: Vec<Site>,
    pub plants: Vec<Plant>,
    pub lines: Vec<String>,
    pub families: Vec<Family>,
    pub customers: Vec<Customer>,
    pub region_names: Vec<String>,
}

fn width(n: usize) -> usize {
    n.max(1).to_string().len().max(2)
}

fn code(prefix: &str, i: usize, w: usize) -> String {
    let mut b = prefix.as_bytes().to_vec();
    push_padded(&mut b, i as u64 + 1, w);
    String::from_utf8_lossy(&b).into_owned()
}

/// A base recipe: a major ingredient and 2-4 others, popular ingredients
/// (salt, oil, sugar) shared by many families, and perhaps a share of
/// premix. Gives (raw SKUs, premix per mille (0 for none), recipe).
fn base_recipe(rng: &mut Rng, nr: usize) -> (Vec<usize>, u64, Vec<(usize, u64)>) {
    let k = rng.range(3, 5) as usize;
    let mut raws: Vec<usize> = Vec::new();
    while raws.len() < k {
        let r = rng.skewed(nr);
        if !raws.contains(&r) {
            raws.push(r);
        }
    }
    let has_premix = rng.chance(0.4);
    let premix_permille = if has_premix { rng.range(20, 40) } else { 0 };
    let major = rng.range(450, 700);
    let rest = 1000 - major - premix_permille;
    let weights: Vec<u64> = (1..k).map(|_| rng.range(1, 10)).collect();
    let wsum: u64 = weights.iter().sum();
    let mut recipe = vec![(raws[0], major)];
    let mut given = major;
    for (i, wgt) in weights.iter().enumerate() {
        let share = if i + 1 == weights.len() {
            (1000 - premix_permille).saturating_sub(given).max(1)
        } else {
            (rest * wgt / wsum).max(1)
        };
        given += share;
        recipe.push((raws[i + 1], share));
    }
    (raws, premix_permille, recipe)
}

/// Rounds `v` up to a multiple of `m`.
pub fn round_up(v: u64, m: u64) -> u64 {
    v.div_ceil(m).max(1) * m
}

impl World {
    /// Builds the network for `scale` from `rng`.
    pub fn build(scale: Scale, seed: u64, cal: Calendar, rng: &mut Rng) -> World {
        let mut w = World {
            cal,
            scale,
            seed,
            suppliers: Vec::new(),
            skus: Vec::new(),
            supplied: 0,
            sites: Vec::new(),
            plants: Vec::new(),
            lines: Vec::new(),
            families: Vec::new(),
            customers: Vec::new(),
            region_names: (0..scale.regions)
                .map(|i| names::cycled(names::REGIONS, i))
                .collect(),
        };
        w.build_suppliers(rng);
        w.build_supplied_skus(rng);
        w.build_sites();
        w.build_families(rng);
        w.size_supplied_lots(rng);
        w.build_customers(rng);
        w
    }

    fn build_suppliers(&mut self, rng: &mut Rng) {
        let n = self.scale.suppliers;
        let wd = width(n).max(3);
        for i in 0..n {
            let (country, form) = *rng.pick(names::SUPPLIER_COUNTRIES);
            let level = [Level::Excellent, Level::Good, Level::Fair, Level::Poor]
                [rng.weighted(&[30, 40, 20, 10])];
            self.suppliers.push(Supplier {
                id: code("SUP-", i, wd),
                name: format!(
                    "{} {} {}",
                    rng.pick(names::SUPPLIER_FIRST),
                    rng.pick(names::SUPPLIER_SECOND),
                    form
                ),
                country,
                level,
                fail_rate: level.fail_rate() * rng.uniform(0.8, 1.2),
            });
        }
    }

    fn build_supplied_skus(&mut self, rng: &mut Rng) {
        let (nr, np) = (self.scale.raw, self.scale.packaging);
        let wr = width(nr).max(3);
        for i in 0..nr {
            let (name, uom, grams) = names::RAW[i % names::RAW.len()];
            let round = i / names::RAW.len();
            self.skus.push(Sku {
                code: code("RM-", i, wr),
                name: if round == 0 {
                    name.to_string()
                } else {
                    format!("{name}, grade {}", round + 1)
                },
                category: Category::Raw,
                uom,
                shelf_life: rng.range(90, 720) as u32,
                unit_cost: rng.range(300, 12_000),
                lot_size: 0,
                pack: 10,
                suppliers: Vec::new(),
                grams: (grams > 0).then_some(grams),
            });
        }
        let wp = width(np).max(3);
        for i in 0..np {
            let (name, grams) = names::PACKAGING[i % names::PACKAGING.len()];
            self.skus.push(Sku {
                code: code("PK-", i, wp),
                name: names::suffixed(name, i / names::PACKAGING.len()),
                category: Category::Packaging,
                uom: "ea",
                shelf_life: 1095,
                unit_cost: rng.range(8, 400),
                lot_size: 0,
                pack: 10,
                suppliers: Vec::new(),
                grams: Some(grams),
            });
        }
        for (i, &(name, grams)) in names::SHRINK.iter().enumerate() {
            self.skus.push(Sku {
                code: code("PK-S", i, 2),
                name: name.to_string(),
                category: Category::Packaging,
                uom: "ea",
                shelf_life: 1095,
                unit_cost: rng.range(20, 300),
                lot_size: 0,
                pack: 10,
                suppliers: Vec::new(),
                grams: Some(grams),
            });
        }
        self.supplied = self.skus.len();
        // Approvals: 1-3 suppliers per SKU, dealt from shuffled rounds of
        // all suppliers so that every supplier supplies something.
        let ns = self.suppliers.len();
        let mut deck: Vec<usize> = Vec::new();
        for s in 0..self.supplied {
            let k = [1usize, 2, 3][rng.weighted(&[30, 50, 20])];
            while self.skus[s].suppliers.len() < k {
                if deck.is_empty() {
                    deck = (0..ns).collect();
                    for i in (1..ns).rev() {
                        deck.swap(i, rng.index(i + 1));
                    }
                }
                let sup = deck.pop().unwrap_or(0);
                if !self.skus[s].suppliers.contains(&sup) {
                    self.skus[s].suppliers.push(sup);
                }
            }
        }
    }

    fn build_sites(&mut self) {
        let sc = self.scale;
        let wp = width(sc.plants);
        for i in 0..sc.plants {
            self.sites.push(Site {
                id: code("PL-", i, wp),
                name: format!("{} plant", names::cycled(names::TOWNS, i)),
                kind: SiteKind::Plant,
                region: i % sc.regions,
                customers: Vec::new(),
                repack_line: 0,
            });
        }
        let first_wh = self.sites.len();
        for r in 0..sc.regions {
            self.sites.push(Site {
                id: code("WH-", r, 2),
                name: format!("{} ingredients warehouse", self.region_names[r]),
                kind: SiteKind::Warehouse,
                region: r,
                customers: Vec::new(),
                repack_line: 0,
            });
        }
        let first_dc = self.sites.len();
        for r in 0..sc.regions {
            for k in 0..2 {
                let i = r * 2 + k;
                let id = code("DC-", i, 2);
                self.lines.push(format!("{id}-REPACK"));
                self.sites.push(Site {
                    id,
                    name: format!("{} distribution centre {}", self.region_names[r], k + 1),
                    kind: SiteKind::Dc,
                    region: r,
                    customers: Vec::new(),
                    repack_line: self.lines.len() - 1,
                });
            }
        }
        for p in 0..sc.plants {
            let r = p % sc.regions;
            let next = (r + 1) % sc.regions;
            self.plants.push(Plant {
                site: p,
                warehouse: first_wh + r,
                dcs: vec![first_dc + 2 * r, first_dc + 2 * r + 1, first_dc + 2 * next],
            });
        }
    }

    /// Mixing and filling lines: per plant about one mixing line per two
    /// families and two filling lines per three, shared by the families of
    /// the plant. Gives (mixing, filling) line indices per plant.
    fn build_lines(&mut self) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
        let sc = self.scale;
        let mut per_plant = vec![0usize; sc.plants];
        for f in 0..sc.families {
            per_plant[f % sc.plants] += 1;
        }
        let mut mix_lines = Vec::new();
        let mut fill_lines = Vec::new();
        for (p, k) in per_plant.iter().enumerate() {
            let pid = self.sites[p].id.clone();
            let m: Vec<usize> = (0..k.div_ceil(2).max(1))
                .map(|i| {
                    self.lines.push(format!("{pid}-MIX{}", i + 1));
                    self.lines.len() - 1
                })
                .collect();
            let f: Vec<usize> = (0..(2 * k).div_ceil(3).max(1))
                .map(|i| {
                    self.lines.push(format!("{pid}-FILL{}", i + 1));
                    self.lines.len() - 1
                })
                .collect();
            mix_lines.push(m);
            fill_lines.push(f);
        }
        (mix_lines, fill_lines)
    }

    fn build_families(&mut self, rng: &mut Rng) {
        let sc = self.scale;
        let (nr, np) = (sc.raw, sc.packaging);
        let first_pkg = nr;
        let shrink0 = nr + np;
        let (mix_lines, fill_lines) = self.build_lines();
        let wf = width(sc.families).max(3);
        let mut n_fg = 0usize;
        let mut n_mp = 0usize;
        let mut pick = Vec::new();
        for f in 0..sc.families {
            let plant = f % sc.plants;
            let local = f / sc.plants;
            let fname = names::cycled(names::FAMILIES, f);
            let (raws, premix_permille, base_recipe) = base_recipe(rng, nr);
            let base_sku = self.skus.len();
            self.skus.push(Sku {
                code: code("BS-", f, wf),
                name: format!("{fname} base"),
                category: Category::Intermediate,
                uom: "kg",
                shelf_life: rng.range(7, 30) as u32,
                unit_cost: rng.range(800, 4_000),
                lot_size: 0,
                pack: 10,
                suppliers: Vec::new(),
                grams: None,
            });
            // A family without premix has no premix share.
            let premix =
                (premix_permille > 0).then(|| self.add_premix(rng, f, wf, &fname, &mut pick));
            let variants = self.add_variants(rng, &fname, wf, &mut n_fg, &mut pick);
            let mut minors = Vec::new();
            for _ in 0..rng.range(0, 2) {
                let r = rng.index(nr);
                if !raws.contains(&r) && !minors.iter().any(|(m, _)| *m == r) {
                    minors.push((r, rng.range(2, 25)));
                }
            }
            let k = rng.range(1, 3) as usize;
            rng.distinct(np, k, &mut pick);
            let packaging: Vec<usize> = pick.iter().map(|p| first_pkg + p).collect();
            let batch_units = rng.range(50, 400) * 12;
            let mean_grams = variants.iter().map(|v| v.grams).sum::<u64>() / variants.len() as u64;
            // Base per finished batch (tenths of kg, 2 % overfill), and a
            // base batch that feeds 2.5-4.5 finished batches.
            let need = batch_units * mean_grams / 100 * 102 / 100;
            let base_batch = (need as f64 * rng.uniform(2.5, 4.5)) as u64;
            let yield_permille = rng.range(930, 985);
            let premix = premix.map(|mut p| {
                let per_base = base_batch * 1000 / yield_permille * premix_permille / 1000;
                p.batch = (per_base as f64 * rng.uniform(3.0, 8.0)) as u64;
                p
            });
            let club = rng
                .chance(0.5)
                .then(|| self.add_club(rng, &variants, n_mp, wf, shrink0));
            n_mp += usize::from(club.is_some());
            self.families.push(Family {
                plant,
                premix,
                premix_permille,
                base_sku,
                base_recipe,
                yield_permille,
                base_batch,
                mix_line: mix_lines[plant][local % mix_lines[plant].len()],
                fill_line: fill_lines[plant][local % fill_lines[plant].len()],
                variants,
                minors,
                packaging,
                batch_units,
                club,
                background: rng.uniform(0.5, 2.0),
            });
        }
    }

    /// Family `f`'s premix SKU and recipe (its batch size is set once the
    /// base batch is known).
    fn add_premix(
        &mut self,
        rng: &mut Rng,
        f: usize,
        wf: usize,
        fname: &str,
        pick: &mut Vec<usize>,
    ) -> Premix {
        let sku = self.skus.len();
        self.skus.push(Sku {
            code: code("PX-", f, wf),
            name: format!("{fname} seasoning premix"),
            category: Category::Intermediate,
            uom: "kg",
            shelf_life: rng.range(90, 180) as u32,
            unit_cost: rng.range(2_000, 15_000),
            lot_size: 0,
            pack: 10,
            suppliers: Vec::new(),
            grams: None,
        });
        let k = rng.range(2, 3) as usize;
        rng.distinct(self.scale.raw, k, pick);
        let w: Vec<u64> = pick.iter().map(|_| rng.range(1, 10)).collect();
        let ws: u64 = w.iter().sum();
        let mut recipe: Vec<(usize, u64)> = Vec::new();
        let mut given = 0;
        for (i, (&r, wgt)) in pick.iter().zip(&w).enumerate() {
            let share = if i + 1 == w.len() {
                1000 - given
            } else {
                1000 * wgt / ws
            };
            given += share;
            recipe.push((r, share));
        }
        Premix {
            sku,
            recipe,
            batch: 0,
        }
    }

    /// A family's 2-4 finished variants (`n_fg` counts finished SKUs).
    fn add_variants(
        &mut self,
        rng: &mut Rng,
        fname: &str,
        wf: usize,
        n_fg: &mut usize,
        pick: &mut Vec<usize>,
    ) -> Vec<Variant> {
        let grams_choices = [150u64, 200, 250, 300, 400, 500, 750, 1000];
        let nv = rng.range(2, 4) as usize;
        let mut variants = Vec::new();
        rng.distinct(names::VARIANTS.len(), nv, pick);
        for &v in pick.iter() {
            let grams = *rng.pick(&grams_choices);
            let sku = self.skus.len();
            self.skus.push(Sku {
                code: code("FG-", *n_fg, wf + 1),
                name: format!("{fname} {} {grams} g", names::VARIANTS[v]),
                category: Category::Finished,
                uom: "ea",
                shelf_life: rng.range(30, 365) as u32,
                unit_cost: grams * rng.range(3, 9) + rng.range(100, 400),
                lot_size: 0,
                pack: 10,
                suppliers: Vec::new(),
                grams: Some(grams),
            });
            *n_fg += 1;
            variants.push(Variant { sku, grams });
        }
        variants
    }

    /// Multipack SKUs of a family's variants, the `n_mp`-th multipack.
    fn add_club(
        &mut self,
        rng: &mut Rng,
        variants: &[Variant],
        n_mp: usize,
        wf: usize,
        shrink0: usize,
    ) -> Club {
        let pack = *rng.pick(&[4u64, 6, 12]);
        // MP-003 packs the first variant, MP-003B the second, ...
        let base = code("MP-", n_mp, wf);
        let mut skus = Vec::new();
        for (v, var) in variants.iter().enumerate() {
            let unit = &self.skus[var.sku];
            let mut code = base.clone();
            if v > 0 {
                code.push(char::from(b'A' + v as u8));
            }
            let sku = Sku {
                code,
                name: format!("{} {pack}-pack", unit.name),
                category: Category::Finished,
                uom: "ea",
                shelf_life: unit.shelf_life,
                unit_cost: unit.unit_cost * pack + 150,
                lot_size: 0,
                pack: 10,
                suppliers: Vec::new(),
                grams: Some(var.grams * pack),
            };
            skus.push(self.skus.len());
            self.skus.push(sku);
        }
        Club {
            skus,
            pack,
            shrink: shrink0 + rng.index(names::SHRINK.len()),
        }
    }

    /// Supplied lots hold 6-20 batches' worth of a typical draw, so one lot
    /// feeds many batches (fan-out) and batches straddle lots (fan-in).
    fn size_supplied_lots(&mut self, rng: &mut Rng) {
        let mut sum = vec![0u64; self.supplied];
        let mut count = vec![0u64; self.supplied];
        let mut add = |s: usize, q: u64| {
            sum[s] += q;
            count[s] += 1;
        };
        for f in &self.families {
            let input = f.base_batch * 1000 / f.yield_permille;
            for &(r, pm) in &f.base_recipe {
                add(r, input * pm / 1000);
            }
            if let Some(p) = &f.premix {
                for &(r, pm) in &p.recipe {
                    add(r, p.batch * pm / 1000);
                }
            }
            for &(r, g) in &f.minors {
                add(r, f.batch_units * g / 100);
            }
            for &p in &f.packaging {
                add(p, f.batch_units * 10);
            }
            if let Some(c) = &f.club {
                add(c.shrink, f.batch_units / 5 / c.pack * 10);
            }
        }
        for s in 0..self.supplied {
            let typical = sum[s].checked_div(count[s]).unwrap_or(1000);
            let sku = &mut self.skus[s];
            sku.pack = match sku.uom {
                "ea" if typical >= 50_000 => 10_000,
                "ea" => 100,
                _ if typical >= 5_000 => 250,
                _ => 10,
            };
            sku.lot_size = round_up((typical as f64 * rng.uniform(6.0, 20.0)) as u64, sku.pack);
        }
    }

    fn build_customers(&mut self, rng: &mut Rng) {
        let n = self.scale.customers;
        let wc = width(n).max(4);
        let dcs: Vec<usize> = (0..self.sites.len())
            .filter(|s| self.sites[*s].kind == SiteKind::Dc)
            .collect();
        for i in 0..n {
            // The first customers go one to each centre so none is idle.
            let dc = if i < dcs.len() {
                dcs[i]
            } else {
                dcs[rng.index(dcs.len())]
            };
            let kind = ["distributor", "retailer", "consumer"][rng.weighted(&[15, 75, 10])];
            let region = self.sites[dc].region;
            self.sites[dc].customers.push(i);
            self.customers.push(Customer {
                id: code("C-", i, wc),
                name: format!(
                    "{} {}",
                    rng.pick(names::CUSTOMER_FIRST),
                    rng.pick(names::CUSTOMER_SECOND)
                ),
                kind,
                region,
            });
        }
    }

    /// A plant's preferred supplier of an SKU (stable, not drawn from the
    /// stream so that planting a fault does not shift the rest).
    pub fn preferred_supplier(&self, plant: usize, sku: usize) -> usize {
        let s = &self.skus[sku].suppliers;
        s[(mix(self.seed ^ ((plant as u64) << 32) ^ sku as u64) % s.len() as u64) as usize]
    }
}
