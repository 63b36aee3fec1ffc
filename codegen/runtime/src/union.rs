//! Decoding a union (`oneOf`/`anyOf`) in bounded time.
//!
//! A union without a tag that fits is decoded by trying its alternatives in turn. When two
//! alternatives hold the union again (`Node: oneOf [Branch, Pair]`, both `{x: Node}`), each
//! level tries both, and a body nested `d` deep costs `2^d` tries: 133 bytes took 19 s. So
//! each union reads its input once into a JSON value, and spends that value's weight from a
//! budget that [`bounded`] sets for the decoding of a response body: 256 times the body's
//! length plus [`FLOOR`]. A body whose unions need more than that is refused
//! ([`no_alternative`] says so) instead of taking exponential time; an ordinary body, whose
//! unions are each tried a few times, stays far below it. Outside [`bounded`] (a program
//! deserializing data itself, with `serde_json::from_str` say) the outermost union sets the
//! budget from its own input: 256 times that value's weight plus [`FLOOR`], for as long as it
//! is being decoded.

use std::cell::Cell;
use std::ops::Deref;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The budget every body gets besides its 256 units per byte: a small body with a few
/// nested unions never meets the bound.
pub const FLOOR: usize = 16 << 20;

thread_local! {
    /// What the unions of the body being decoded on this thread may still spend; `None`
    /// outside [`bounded`].
    static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
    /// Whether the budget ran out during the decoding under way.
    static SPENT: Cell<bool> = const { Cell::new(false) };
}

/// Puts the budget back as it was when dropped, even on a panic.
struct Restore(Option<usize>, bool);

impl Drop for Restore {
    fn drop(&mut self) {
        LEFT.with(|l| l.set(self.0));
        SPENT.with(|s| s.set(self.1));
    }
}

/// Runs `decode`, the decoding of a body of `len` bytes, with its unions' budget.
pub fn bounded<T>(len: usize, decode: impl FnOnce() -> T) -> T {
    let budget = len.saturating_mul(256).saturating_add(FLOOR);
    let _restore = Restore(
        LEFT.with(|l| l.replace(Some(budget))),
        SPENT.with(|s| s.replace(false)),
    );
    decode()
}

/// The weight of a value: a tree node's size for each of its nodes, plus its strings' bytes
/// (keys included). About what copying it and deserializing from it cost.
fn weight(value: &Value) -> usize {
    const NODE: usize = std::mem::size_of::<Value>();
    NODE + match value {
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(weight).sum(),
        Value::Object(map) => map.iter().map(|(k, v)| k.len() + weight(v)).sum(),
        _ => 0,
    }
}

/// The input of a union, read once so that each alternative can be tried on it
/// ([`alternative`]); its weight is spent from the budget of the body under way. Outside
/// [`bounded`], the outermost union's input sets the budget for its own decoding, and puts
/// it back when dropped.
pub fn input<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Input, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let weight = weight(&value);
    let Some(left) = LEFT.with(Cell::get) else {
        let budget = weight.saturating_mul(256).saturating_add(FLOOR);
        let scope = Restore(
            LEFT.with(|l| l.replace(Some(budget - weight))),
            SPENT.with(|s| s.replace(false)),
        );
        return Ok(Input {
            value,
            _scope: Some(scope),
        });
    };
    match left.checked_sub(weight) {
        Some(left) => {
            LEFT.with(|l| l.set(Some(left)));
            Ok(Input {
                value,
                _scope: None,
            })
        }
        None => {
            LEFT.with(|l| l.set(Some(0)));
            SPENT.with(|s| s.set(true));
            Err(D::Error::custom(EXHAUSTED))
        }
    }
}

/// A union's input ([`input`]): the value, and for the outermost union outside [`bounded`]
/// the budget it set, which ends with it.
pub struct Input {
    value: Value,
    _scope: Option<Restore>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl Deref for Input {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.value
    }
}

const EXHAUSTED: &str = "the body's unions take more work to decode than its size allows \
                         (their alternatives hold one another too deep)";

/// `value` as the alternative `T`, when it is one.
pub fn alternative<T: DeserializeOwned>(value: &Value) -> Option<T> {
    T::deserialize(value).ok()
}

/// `value` as the alternative `T` its tag names: its error when it is not one.
pub fn tagged<T: DeserializeOwned, E: serde::de::Error>(value: &Value) -> Result<T, E> {
    T::deserialize(value).map_err(E::custom)
}

/// The error of a value that is none of the alternatives of the union `U`, or of a body
/// whose unions ran out of budget.
pub fn no_alternative<U: ?Sized, E: serde::de::Error>() -> E {
    if SPENT.with(Cell::get) {
        return E::custom(EXHAUSTED);
    }
    let path = std::any::type_name::<U>();
    let name = path.rsplit("::").next().unwrap_or(path);
    E::custom(format!("the value matches no alternative of `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Node;

    #[test]
    fn the_budget_is_spent_and_restored() {
        let value = serde_json::json!({"a": ["xy", 1]});
        // Outside: the input sets a budget of its own while it lives, and spends from it.
        let own = input(&value).unwrap();
        assert_eq!(*own, value);
        let w = weight(&value);
        assert_eq!(LEFT.with(Cell::get), Some(w * 256 + FLOOR - w));
        let inner = input(&value["a"]).unwrap();
        assert_eq!(
            LEFT.with(Cell::get),
            Some(w * 256 + FLOOR - w - weight(&value["a"]))
        );
        drop(inner);
        drop(own);
        assert_eq!(LEFT.with(Cell::get), None);
        bounded(0, || {
            let before = LEFT.with(Cell::get).unwrap();
            input(&value).unwrap();
            let after = LEFT.with(Cell::get).unwrap();
            assert_eq!(before - after, weight(&value));
            // Nested: its own budget, then this one's again.
            bounded(1, || assert_eq!(LEFT.with(Cell::get), Some(256 + FLOOR)));
            assert_eq!(LEFT.with(Cell::get), Some(after));
            LEFT.with(|l| l.set(Some(3)));
            let err = input(&value).unwrap_err();
            assert!(err.to_string().contains("more work"), "{err}");
            let last: serde_json::Error = no_alternative::<Node, _>();
            assert!(last.to_string().contains("more work"), "{last}");
        });
        assert_eq!(LEFT.with(Cell::get), None);
        assert!(!SPENT.with(Cell::get));
        let none: serde_json::Error = no_alternative::<Node, _>();
        assert_eq!(
            none.to_string(),
            "the value matches no alternative of `Node`"
        );
    }
}
