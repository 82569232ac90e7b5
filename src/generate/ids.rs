//! Lot numbers of a generated dataset: `F23045-000123` is a finished lot
//! made on day 45 of 2023, serial 123. The date part of every simulated day
//! is computed once, since millions of rows print one.

use super::sink::{Calendar, push_padded};

/// What a lot is, which sets the first letter of its number.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Bought from a supplier (`R`).
    Supplied,
    /// A premix mixed at a plant (`X`).
    Premix,
    /// A base batch mixed at a plant (`B`).
    Base,
    /// A finished batch filled at a plant (`F`).
    Finished,
    /// Multipacks made at a distribution centre (`M`).
    Multipack,
}

impl Kind {
    /// First letter of the lot number.
    fn prefix(self) -> u8 {
        match self {
            Kind::Supplied => b'R',
            Kind::Premix => b'X',
            Kind::Base => b'B',
            Kind::Finished => b'F',
            Kind::Multipack => b'M',
        }
    }
}

/// Everything needed to print a lot number.
#[derive(Copy, Clone, Debug)]
pub(super) struct LotRef {
    pub kind: Kind,
    /// Counted in whole units (`ea`)?
    pub whole: bool,
    pub day: i32,
    pub serial: u32,
}

/// Lot numbers, with the date part of each day precomputed.
pub(super) struct Ids {
    digits: usize,
    lo: i32,
    yyjjj: Vec<[u8; 5]>,
    cal: Calendar,
}

impl Ids {
    /// Numbers for a dataset of `lots` lots over `days` days (and the few
    /// days before and after that receipts and expiry dates reach).
    pub(super) fn new(cal: Calendar, days: i32, lots: u64) -> Ids {
        let lo = -64;
        let yyjjj = (lo..days + 400)
            .map(|d| Self::compute(cal, d))
            .collect::<Vec<_>>();
        Ids {
            digits: lots.to_string().len().max(6),
            lo,
            yyjjj,
            cal,
        }
    }

    fn compute(cal: Calendar, day: i32) -> [u8; 5] {
        let (yy, jjj) = cal.yy_jjj(day);
        let mut b = [b'0'; 5];
        b[0] += (yy / 10) as u8;
        b[1] += (yy % 10) as u8;
        b[2] += (jjj / 100) as u8;
        b[3] += (jjj / 10 % 10) as u8;
        b[4] += (jjj % 10) as u8;
        b
    }

    /// `YYJJJ` (two-digit year, day of year) of `day`.
    pub(super) fn day(&self, day: i32) -> [u8; 5] {
        usize::try_from(day - self.lo)
            .ok()
            .and_then(|i| self.yyjjj.get(i).copied())
            .unwrap_or_else(|| Self::compute(self.cal, day))
    }

    /// Appends the number of `r` to `b`.
    pub(super) fn lot(&self, b: &mut Vec<u8>, r: LotRef) {
        b.push(r.kind.prefix());
        b.extend_from_slice(&self.day(r.day));
        b.push(b'-');
        push_padded(b, u64::from(r.serial), self.digits);
    }

    /// The number of `r` as a string.
    pub(super) fn lot_string(&self, r: LotRef) -> String {
        let mut b = Vec::with_capacity(16);
        self.lot(&mut b, r);
        String::from_utf8_lossy(&b).into_owned()
    }
}
