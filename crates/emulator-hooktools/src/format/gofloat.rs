//! Go's two renderings of a `float64`: `encoding/json`'s and `strconv.FormatFloat(f, 'g', -1)`
//! (which the YAML encoder uses). Juju decodes every number from its API into a `float64`, so
//! these are the only number formats a hook tool prints.

/// The shortest decimal digits that round-trip `f` (no sign), and the exponent of the first.
fn shortest_digits(f: f64) -> (String, i32) {
    // Rust's `{:e}` is the shortest round-trip form, as Go's `-1` precision is.
    let text = format!("{:e}", f.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// `d.ddde±XX` as Go's `%e` with shortest precision writes it (at least two exponent digits).
fn exponent_form(out: &mut String, digits: &str, exponent: i32) {
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exponent < 0 { '-' } else { '+' });
    let magnitude = exponent.unsigned_abs();
    if magnitude < 10 {
        out.push('0');
    }
    out.push_str(&magnitude.to_string());
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: `%e` when the exponent is below -4 or at least 6
/// (so `1e+06`), `%f` otherwise.
pub(crate) fn format_g(f: f64) -> String {
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    let (digits, exponent) = shortest_digits(f);
    if !(-4..6).contains(&exponent) {
        exponent_form(&mut out, &digits, exponent);
        return out;
    }
    let point = exponent + 1; // digits before the decimal point
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..-point {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = point as usize;
        if point >= digits.len() {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

/// `encoding/json`'s float64: fixed notation, or `%e` below 1e-6 and from 1e21 on, with a
/// one-digit negative exponent unpadded (`1e-7`, `1e+21`).
pub(crate) fn format_json(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut out = String::new();
        if f.is_sign_negative() {
            out.push('-');
        }
        let (digits, exponent) = shortest_digits(f);
        exponent_form(&mut out, &digits, exponent);
        if (-9..0).contains(&exponent) {
            // Go cleans `e-07` to `e-7`.
            let zero = out.len() - 2;
            out.remove(zero);
        }
        return out;
    }
    // Display is the shortest round-trip digits in fixed notation, as Go's 'f' with -1.
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_go() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (42.0, "42"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (2_000_000.0, "2e+06"),
            (1_234_567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (0.1 + 0.2, "0.30000000000000004"),
        ];
        for (f, want) in cases {
            assert_eq!(format_g(f), want, "{f}");
        }
    }

    #[test]
    fn json_format_matches_go() {
        let cases = [
            (0.0, "0"),
            (42.0, "42"),
            (1.5, "1.5"),
            (2_000_000.0, "2000000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (-2.5e-8, "-2.5e-8"),
            (1e-10, "1e-10"),
        ];
        for (f, want) in cases {
            assert_eq!(format_json(f), want, "{f}");
        }
    }
}
