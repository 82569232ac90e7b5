//! Check characters for lot codes: the GS1 modulo-10 check digit (GTIN-8,
//! GTIN-12, GTIN-13, GTIN-14, SSCC) and the ISO/IEC 7064 hybrid MOD 37,36
//! check character for alphanumeric codes. Pure functions; bad input gives
//! `None`/`false`, never a panic.

/// The alphabet of MOD 37,36: a character's value is its index (0-9 → 0-9,
/// A-Z → 10-35).
const ALNUM36: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The GS1 check digit of `digits` (the data digits without their check
/// digit): weights 3, 1, 3, … from the right, check = (10 − sum mod 10) mod
/// 10, as for GTIN-8/12/13/14, SSCC and GLN. `None` if `digits` is empty or
/// holds anything but ASCII digits.
pub fn gs1_mod10(digits: &str) -> Option<u8> {
    if digits.is_empty() {
        return None;
    }
    let mut sum: u32 = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let weight = if i % 2 == 0 { 3 } else { 1 };
        sum += weight * u32::from(b - b'0');
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether `s` is a GTIN-8, GTIN-12, GTIN-13 or GTIN-14: exactly that many
/// ASCII digits whose last digit is the GS1 check digit of the others.
pub fn is_valid_gtin(s: &str) -> bool {
    if !matches!(s.len(), 8 | 12 | 13 | 14) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (data, check) = s.split_at(s.len() - 1);
    gs1_mod10(data).is_some_and(|c| check.as_bytes()[0] - b'0' == c)
}

/// The value of one MOD 37,36 character: digits 0-9, letters A-Z (either
/// case) 10-35; `None` for anything else.
fn value36(c: char) -> Option<u32> {
    c.to_digit(36)
}

/// The running state of MOD 37,36 after `s` (its `p`, in 1..=36), or `None`
/// for a character outside 0-9 A-Z a-z. Starting at p = M = 36, each
/// character gives s = (p + value) mod 36 (36 when 0), then p = 2s mod 37.
fn mod37_36_state(s: &str) -> Option<(u32, u32)> {
    const M: u32 = 36;
    let mut p = M;
    let mut last_s = 0;
    for c in s.chars() {
        let mut t = (p + value36(c)?) % M;
        if t == 0 {
            t = M;
        }
        last_s = t;
        p = (2 * t) % (M + 1);
    }
    Some((p, last_s))
}

/// The ISO/IEC 7064 hybrid MOD 37,36 check character of `s` (data without
/// check): one of 0-9 A-Z, chosen so that the whole string's final running
/// sum is 1. Case-insensitive: `a` counts as `A`; the check character is
/// always upper case. `None` if `s` is empty or holds a character outside
/// 0-9 A-Z a-z (separators such as `-` must be removed first).
///
/// The system detects every single-character substitution. It misses an
/// adjacent transposition exactly when the two running sums at the swapped
/// positions are 18 and 19 (1 in 630 of all transpositions of distinct
/// characters); the tests enumerate this.
pub fn iso7064_mod37_36(s: &str) -> Option<char> {
    if s.is_empty() {
        return None;
    }
    let (p, _) = mod37_36_state(s)?;
    let v = (37 - p) % 36;
    Some(char::from(ALNUM36[v as usize]))
}

/// Whether `s_with_check` (data followed by its MOD 37,36 check character)
/// checks out: at least two characters of 0-9 A-Z (either case) whose final
/// running sum is 1. `false` for anything else.
pub fn is_valid_mod37_36(s_with_check: &str) -> bool {
    s_with_check.chars().count() >= 2 && mod37_36_state(s_with_check).is_some_and(|(_, s)| s == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator (xorshift64*) for the property tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn code(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| ALNUM36[self.below(36)]).collect()
        }
    }

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    #[test]
    fn gs1_mod10_published_examples() {
        // GTIN-13 4006381333931 (the EAN-13 example of Wikipedia's
        // "International Article Number" article).
        assert_eq!(gs1_mod10("400638133393"), Some(1));
        // GS1's "How to calculate a check digit manually" page: 629104150021 → 3.
        assert_eq!(gs1_mod10("629104150021"), Some(3));
        // UPC-A 036000291452 (Wikipedia "Universal Product Code").
        assert_eq!(gs1_mod10("03600029145"), Some(2));
        // GTIN-14 09506000134352, the example GTIN of the GS1 Digital Link
        // standard (GS1 prefix 950 is reserved for examples).
        assert_eq!(gs1_mod10("0950600013435"), Some(2));
        // SSCC 106141411234567897 (GS1 US example SSCC, GS1 company prefix 0614141).
        assert_eq!(gs1_mod10("10614141123456789"), Some(7));
        // EAN-8 96385074 (Wikipedia "EAN-8").
        assert_eq!(gs1_mod10("9638507"), Some(4));
    }

    #[test]
    fn gs1_mod10_edge_cases() {
        assert_eq!(gs1_mod10(""), None);
        assert_eq!(gs1_mod10("12a4"), None);
        assert_eq!(gs1_mod10("１２"), None, "full-width digits are not ASCII");
        assert_eq!(gs1_mod10(" 1"), None);
        assert_eq!(gs1_mod10("0"), Some(0));
        assert_eq!(gs1_mod10("1"), Some(7));
        assert_eq!(gs1_mod10("0000000"), Some(0));
        // Leading zeros do not change the check digit (GTIN padding).
        assert_eq!(gs1_mod10("400638133393"), gs1_mod10("0400638133393"));
        // Long inputs do not overflow.
        assert!(gs1_mod10(&"9".repeat(100_000)).is_some());
    }

    #[test]
    fn gtin_validity() {
        for ok in [
            "4006381333931",
            "6291041500213",
            "036000291452",
            "09506000134352",
            "96385074",
            "00000000000000",
        ] {
            assert!(is_valid_gtin(ok), "{ok}");
        }
        for bad in [
            "4006381333932",      // wrong check digit
            "106141411234567897", // an SSCC is 18 digits, not a GTIN
            "0614141",            // 7 digits
            "40063813339310",     // 14 digits, wrong check
            "400638133393a",
            "",
            "4006381333931 ",
        ] {
            assert!(!is_valid_gtin(bad), "{bad}");
        }
    }

    #[test]
    fn gtin_detects_every_single_digit_error() {
        let good = "09506000134352";
        for i in 0..good.len() {
            for d in b'0'..=b'9' {
                let mut b = good.as_bytes().to_vec();
                if b[i] == d {
                    continue;
                }
                b[i] = d;
                assert!(!is_valid_gtin(text(&b)), "{}", text(&b));
            }
        }
    }

    #[test]
    fn mod37_36_published_examples() {
        // GRid A1-2425G-ABC1234002-M: the example of the IFPI GRid standard
        // (also Wikipedia "Global Release Identifier", python-stdnum's grid).
        assert_eq!(iso7064_mod37_36("A12425GABC1234002"), Some('M'));
        assert!(is_valid_mod37_36("A12425GABC1234002M"));
        // Further check strings from xbib's standardnumber MOD3736 tests
        // (ISAN-style root and version segments).
        assert!(is_valid_mod37_36("B159D8FA01240000K"));
        assert!(is_valid_mod37_36("188166C7342000003"));
        assert_eq!(iso7064_mod37_36("B159D8FA01240000"), Some('K'));
        assert_eq!(iso7064_mod37_36("188166C734200000"), Some('3'));
    }

    #[test]
    fn mod37_36_case_and_errors() {
        assert_eq!(iso7064_mod37_36("a12425gabc1234002"), Some('M'));
        assert!(is_valid_mod37_36("a12425gabc1234002m"));
        assert_eq!(iso7064_mod37_36(""), None);
        assert_eq!(iso7064_mod37_36("A1-2425G"), None);
        assert_eq!(iso7064_mod37_36("ÄB"), None);
        assert!(!is_valid_mod37_36(""));
        assert!(
            !is_valid_mod37_36("M"),
            "a check character alone is no code"
        );
        assert!(!is_valid_mod37_36("A1-2425G-ABC1234002-M"));
        assert!(!is_valid_mod37_36("A12425GABC1234002N"));
        assert!(!is_valid_mod37_36("A12425GABC1234002*"));
    }

    #[test]
    fn mod37_36_appended_check_always_validates() {
        let mut rng = Rng(0x1234_5678_9ABC_DEF1);
        for _ in 0..2000 {
            let len = 1 + rng.below(24);
            let mut code = rng.code(len);
            let check = iso7064_mod37_36(text(&code)).unwrap();
            assert!(ALNUM36.contains(&(check as u8)));
            code.push(check as u8);
            assert!(is_valid_mod37_36(text(&code)), "{}", text(&code));
        }
    }

    #[test]
    fn mod37_36_detects_every_single_substitution() {
        let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
        for _ in 0..300 {
            let len = 1 + rng.below(16);
            let mut code = rng.code(len);
            code.push(iso7064_mod37_36(text(&code)).unwrap() as u8);
            for i in 0..code.len() {
                for &c in ALNUM36 {
                    if c == code[i] {
                        continue;
                    }
                    let mut bad = code.clone();
                    bad[i] = c;
                    assert!(
                        !is_valid_mod37_36(text(&bad)),
                        "{} → {}",
                        text(&code),
                        text(&bad)
                    );
                }
            }
        }
    }

    /// The running sum s after the character at position `i` of `code`.
    fn running_sum(code: &[u8], i: usize) -> u32 {
        mod37_36_state(text(&code[..=i])).unwrap().1
    }

    #[test]
    fn mod37_36_transpositions_missed_only_at_sums_18_19() {
        let mut rng = Rng(0x0BAD_5EED_0000_0001);
        let (mut missed, mut swaps) = (0, 0);
        for _ in 0..3000 {
            let len = 1 + rng.below(16);
            let mut code = rng.code(len);
            code.push(iso7064_mod37_36(text(&code)).unwrap() as u8);
            for i in 0..code.len() - 1 {
                if code[i] == code[i + 1] {
                    continue;
                }
                let mut bad = code.clone();
                bad.swap(i, i + 1);
                swaps += 1;
                let sums = [running_sum(&bad, i), running_sum(&code, i)];
                let blind = sums == [18, 19] || sums == [19, 18];
                if is_valid_mod37_36(text(&bad)) {
                    missed += 1;
                    assert!(
                        blind,
                        "{} → {} missed at sums {sums:?}",
                        text(&code),
                        text(&bad)
                    );
                } else {
                    assert!(
                        !blind,
                        "{} → {} caught at sums {sums:?}",
                        text(&code),
                        text(&bad)
                    );
                }
            }
        }
        assert!(swaps > 20_000);
        assert!(missed * 300 < swaps, "{missed} of {swaps} missed");
    }

    #[test]
    fn mod37_36_transpositions_exhaustive() {
        // Every state p (1..=36) and every ordered pair of distinct
        // characters: exactly one unordered pair per state goes unseen.
        let mut missed = 0;
        for p in 1..=36u32 {
            for a in 0..36u32 {
                for b in 0..36u32 {
                    if a == b {
                        continue;
                    }
                    let step = |p: u32, v: u32| {
                        let s = (p + v) % 36;
                        if s == 0 { 36 } else { s }
                    };
                    let after = |x: u32, y: u32| step(2 * step(p, x) % 37, y);
                    if after(a, b) == after(b, a) {
                        missed += 1;
                        let sums = [step(p, a), step(p, b)];
                        assert!(sums == [18, 19] || sums == [19, 18], "p={p} a={a} b={b}");
                    }
                }
            }
        }
        assert_eq!(missed, 2 * 36);
    }
}
