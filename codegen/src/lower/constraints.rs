//! The constraints of a schema once gathered: impossible ranges and counts are errors,
//! patterns are translated to the `regex` crate's syntax and checked, and integer bounds that
//! cannot bind for the type are dropped.

use super::*;

impl Lowerer<'_> {
    /// Checks the constraints of the schema at `pointer` once gathered: ranges that no value
    /// can satisfy are errors; a pattern is translated to the `regex` crate's syntax with its
    /// ECMA-262 meaning, and one that crate cannot compile is a warning and is not enforced.
    pub(super) fn finish_constraints(&mut self, c: &mut Constraints, ty: &Ty, pointer: &str) {
        self.check_counts(
            c.min_length,
            c.max_length,
            "minLength",
            "maxLength",
            pointer,
        );
        self.check_counts(c.min_items, c.max_items, "minItems", "maxItems", pointer);
        self.check_counts(
            c.min_properties,
            c.max_properties,
            "minProperties",
            "maxProperties",
            pointer,
        );
        if let (Some(lo), Some(hi)) = (c.minimum, c.maximum) {
            let empty = if lo.value.is_nan() || hi.value.is_nan() {
                false
            } else if ty.int_range().is_some() {
                // Integers: `exclusiveMinimum: 1` with `exclusiveMaximum: 2` leaves none.
                let lo_i = if lo.exclusive {
                    lo.value.floor() + 1.0
                } else {
                    lo.value.ceil()
                };
                let hi_i = if hi.exclusive {
                    hi.value.ceil() - 1.0
                } else {
                    hi.value.floor()
                };
                lo_i > hi_i
            } else {
                lo.value > hi.value || (lo.value == hi.value && (lo.exclusive || hi.exclusive))
            };
            if empty {
                let show = |b: Bound, key: &str, excl: &str| {
                    if b.exclusive {
                        format!("`{key}: {}` ({excl})", b.value)
                    } else {
                        format!("`{key}: {}`", b.value)
                    }
                };
                self.sink.error(
                    pointer,
                    format!(
                        "{} and {} leave no value: the range is empty",
                        show(lo, "minimum", "exclusiveMinimum"),
                        show(hi, "maximum", "exclusiveMaximum")
                    ),
                );
            }
        }
        if let Some(p) = c.pattern.take() {
            c.pattern = self.check_pattern(&p, pointer);
        }
    }

    pub(super) fn check_counts(
        &mut self,
        lo: Option<u64>,
        hi: Option<u64>,
        lo_key: &str,
        hi_key: &str,
        pointer: &str,
    ) {
        if let (Some(lo), Some(hi)) = (lo, hi) {
            if lo > hi {
                self.sink.error(
                    pointer,
                    format!("`{lo_key}: {lo}` exceeds `{hi_key}: {hi}`: no value satisfies both"),
                );
            }
        }
    }

    /// The pattern as the generated code will use it (see [`crate::pattern`]), or `None` with
    /// a warning at `pointer/pattern` when the `regex` crate cannot compile it.
    pub(super) fn check_pattern(&mut self, pattern: &str, pointer: &str) -> Option<String> {
        let result = match self.patterns.get(pattern) {
            Some(r) => r.clone(),
            None => {
                let r = crate::pattern::translate(pattern);
                self.patterns.insert(pattern.to_string(), r.clone());
                r
            }
        };
        match result {
            Ok(p) => Some(p),
            Err(e) => {
                // The regex crate's syntax errors quote the pattern: both are clipped.
                let (pattern, e) = (diag::clip(pattern, 200), e.to_string());
                let e = diag::clip(&e, 400);
                self.sink.warn(
                    &diag::push(pointer, "pattern"),
                    format!("pattern `{pattern}` cannot be checked with the Rust `regex` crate ({e}); it is not enforced"),
                );
                None
            }
        }
    }
}

/// Drops integer bounds that cannot bind for the type (`minimum: -9223372036854776000` on an
/// i64 is no constraint at all) and keeps the others.
pub(super) fn clamp_int_bounds(ty: &Ty, c: &mut Constraints) {
    let Some((lo, hi)) = ty.int_range() else {
        return;
    };
    if let Some(b) = c.minimum {
        if b.value.is_nan() || b.value <= lo as f64 && !b.exclusive {
            c.minimum = None;
        }
    }
    if let Some(b) = c.maximum {
        if b.value.is_nan() || b.value >= hi as f64 && !b.exclusive {
            c.maximum = None;
        }
    }
}
