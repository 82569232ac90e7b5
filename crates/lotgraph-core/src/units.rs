//! Units of measure: the table of units lotgraph knows (record format v2,
//! `docs/record-format.md`), their dimension and their factor to the
//! dimension's base unit (kg, l, ea). Units are parsed once, at ingest;
//! past it a product carries a [`Unit`] and its mass per unit.
//!
//! Why a closed table: shares on a physical basis need every quantity of a
//! step in one dimension. A unit the table does not know is kept as
//! written, is its own dimension, and makes the steps it enters fall back
//! to the recorded numbers (with a warning at ingest), never a guess.

/// What a unit measures.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Mass; base unit kg.
    Mass,
    /// Volume; base unit l.
    Volume,
    /// A number of items; base unit ea.
    Count,
}

macro_rules! units {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $dim:ident, $factor:expr, [$($alias:literal),*];)+) => {
        /// A unit of measure of the table. Every variant documents itself:
        /// its record-format spelling, dimension and factor to the base unit.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Unit {
            $($(#[$doc])* $variant),+
        }

        impl Unit {
            /// Every unit, in table order (the snapshot stores the position).
            pub const ALL: &'static [Unit] = &[$(Unit::$variant),+];

            /// The canonical spelling (`kg`, `l`, `ea`, ...).
            pub fn as_str(self) -> &'static str {
                match self { $(Unit::$variant => $code),+ }
            }

            /// The dimension the unit measures.
            pub fn dimension(self) -> Dimension {
                match self { $(Unit::$variant => Dimension::$dim),+ }
            }

            /// How many base units (kg, l, ea) one unit is; `None` for a
            /// count unit of no fixed size (a case, a pallet).
            pub fn factor(self) -> Option<f64> {
                match self { $(Unit::$variant => $factor),+ }
            }

            /// Other accepted spellings: UN/ECE Recommendation 20 codes and
            /// common long forms.
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $(Unit::$variant => &[$($alias),*]),+ }
            }
        }
    };
}

units! {
    /// `kg`, mass, 1 kg (Rec 20 `KGM`).
    Kg = "kg", Mass, Some(1.0), ["KGM", "kilogram", "kilograms", "kgs"];
    /// `g`, mass, 0.001 kg (Rec 20 `GRM`).
    G = "g", Mass, Some(0.001), ["GRM", "gram", "grams"];
    /// `mg`, mass, 1e-6 kg (Rec 20 `MGM`).
    Mg = "mg", Mass, Some(0.000_001), ["MGM", "milligram", "milligrams"];
    /// `t`, mass, 1000 kg: the metric tonne (Rec 20 `TNE`).
    T = "t", Mass, Some(1000.0), ["TNE", "tonne", "tonnes"];
    /// `lb`, mass, 0.45359237 kg: the avoirdupois pound (Rec 20 `LBR`).
    Lb = "lb", Mass, Some(0.453_592_37), ["LBR", "lbs", "pound", "pounds"];
    /// `oz`, mass, 0.028349523125 kg: the avoirdupois ounce (Rec 20 `ONZ`).
    Oz = "oz", Mass, Some(0.028_349_523_125), ["ONZ", "ounce", "ounces"];
    /// `l`, volume, 1 l (Rec 20 `LTR`).
    L = "l", Volume, Some(1.0), ["LTR", "litre", "litres", "liter", "liters"];
    /// `ml`, volume, 0.001 l (Rec 20 `MLT`).
    Ml = "ml", Volume, Some(0.001), ["MLT", "millilitre", "milliliter"];
    /// `m3`, volume, 1000 l (Rec 20 `MTQ`).
    M3 = "m3", Volume, Some(1000.0), ["MTQ", "cbm"];
    /// `gal`, volume, 3.785411784 l: the US liquid gallon (Rec 20 `GLL`).
    Gal = "gal", Volume, Some(3.785_411_784), ["GLL", "gallon", "gallons"];
    /// `floz`, volume, 0.0295735295625 l: the US fluid ounce (Rec 20 `OZA`).
    FlOz = "floz", Volume, Some(0.029_573_529_562_5), ["OZA", "fl oz", "fl_oz"];
    /// `ea`, count, 1 ea: each, one item (Rec 20 `EA`, `H87` piece, `C62` one).
    Ea = "ea", Count, Some(1.0), ["H87", "C62", "each", "unit", "units"];
    /// `pc`, count, 1 ea: a piece (same as `ea`).
    Pc = "pc", Count, Some(1.0), ["pcs", "piece", "pieces"];
    /// `dz`, count, 12 ea: a dozen (Rec 20 `DZN`).
    Dz = "dz", Count, Some(12.0), ["DZN", "dozen"];
    /// `case`, count of no fixed size (Rec 20 `CS`).
    Case = "case", Count, None, ["CS", "CT", "carton", "cases"];
    /// `box`, count of no fixed size (Rec 20 `BX`).
    Box = "box", Count, None, ["BX", "boxes"];
    /// `pallet`, count of no fixed size (Rec 20 `PF`, `PX`).
    Pallet = "pallet", Count, None, ["PF", "PX", "pallets"];
    /// `bag`, count of no fixed size (Rec 20 `BG`).
    Bag = "bag", Count, None, ["BG", "bags"];
    /// `drum`, count of no fixed size (Rec 20 `DR`).
    Drum = "drum", Count, None, ["DR", "drums"];
}

impl Unit {
    /// Looks a unit up by its spelling or an alias, ignoring ASCII case and
    /// surrounding spaces (`KGM`, `Kg`, ` kg ` are all kg). `None` when the
    /// table does not know it. O(table).
    ///
    /// ```
    /// use lotgraph_core::units::{Dimension, Unit};
    /// assert_eq!(Unit::parse("KGM"), Some(Unit::Kg));
    /// assert_eq!(Unit::parse(" Lb "), Some(Unit::Lb));
    /// assert_eq!(Unit::parse("H87").map(Unit::dimension), Some(Dimension::Count));
    /// assert_eq!(Unit::parse("bucket"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Unit> {
        let s = s.trim();
        Unit::ALL.iter().copied().find(|u| {
            u.as_str().eq_ignore_ascii_case(s)
                || u.aliases().iter().any(|a| a.eq_ignore_ascii_case(s))
        })
    }

    /// kg per unit for mass units (`Some(0.001)` for g), else `None`.
    pub fn kg_factor(self) -> Option<f64> {
        match self.dimension() {
            Dimension::Mass => self.factor(),
            Dimension::Volume | Dimension::Count => None,
        }
    }

    /// Position in [`Unit::ALL`] (stored by the snapshot).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Inverse of [`Unit::code`].
    pub fn from_code(c: u8) -> Option<Unit> {
        Unit::ALL.get(c as usize).copied()
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a recorded `kg_per_uom` cannot stand: it disagrees with the mass its
/// unit already implies.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{given} conflicts with uom {unit}, which implies {implied} kg per {unit}")]
pub struct KgConflict {
    pub given: f64,
    pub unit: Unit,
    pub implied: f64,
}

/// The mass of one unit of a product: the recorded `kg_per_uom`, else the
/// factor of a mass unit, else unknown. A recorded value on a mass unit
/// must agree with the unit (relative 1e-9). O(1).
///
/// ```
/// use lotgraph_core::units::{kg_per_unit, Unit};
/// assert_eq!(kg_per_unit(Some(Unit::G), None), Ok(Some(0.001)));
/// assert_eq!(kg_per_unit(Some(Unit::Ea), Some(0.2835)), Ok(Some(0.2835)));
/// assert_eq!(kg_per_unit(Some(Unit::L), None), Ok(None));
/// assert!(kg_per_unit(Some(Unit::Kg), Some(0.5)).is_err());
/// ```
pub fn kg_per_unit(unit: Option<Unit>, recorded: Option<f64>) -> Result<Option<f64>, KgConflict> {
    let implied = unit.and_then(Unit::kg_factor);
    match (implied, recorded) {
        (Some(i), Some(r)) if (i - r).abs() > 1e-9 * i => Err(KgConflict {
            given: r,
            unit: unit.unwrap_or(Unit::Kg),
            implied: i,
        }),
        (Some(i), _) => Ok(Some(i)),
        (None, r) => Ok(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for u in Unit::ALL {
            for s in std::iter::once(u.as_str()).chain(u.aliases().iter().copied()) {
                assert!(seen.insert(s.to_ascii_lowercase()), "{s} twice");
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for u in Unit::ALL {
            assert_eq!(Unit::from_code(u.code()), Some(*u));
            assert_eq!(Unit::parse(u.as_str()), Some(*u));
        }
        assert_eq!(Unit::from_code(200), None);
    }

    #[test]
    fn mass_factors() {
        assert_eq!(Unit::parse("TNE").and_then(Unit::kg_factor), Some(1000.0));
        assert_eq!(
            Unit::parse("oz").and_then(Unit::kg_factor),
            Some(0.028_349_523_125)
        );
        assert_eq!(Unit::parse("gal").and_then(Unit::kg_factor), None);
        // A recorded value equal to the implied one is accepted.
        assert_eq!(kg_per_unit(Some(Unit::Kg), Some(1.0)), Ok(Some(1.0)));
        assert_eq!(kg_per_unit(None, None), Ok(None));
    }
}
