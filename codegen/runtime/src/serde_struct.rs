//! Serialization and deserialization of generated structs, written once here: each struct
//! invokes `serde_struct!` with its properties instead of deriving `Serialize` and
//! `Deserialize`, so the code a derive writes per struct (a field enum with three visitors, a
//! sequence visitor, a map visitor, a serializer) is not compiled thousands of times over in a
//! crate generated from a big spec.
//!
//! It writes and reads what the derives did with the attributes the generator used to emit
//! (`rename`, `skip_serializing_if = "Option::is_none"`, `default`, `flatten` of a map,
//! `deny_unknown_fields`), with the same error messages: `missing field`, `duplicate field`,
//! `unknown field` and `invalid type`. One difference: a struct is read from a map only; the
//! derive also read one from a sequence of its fields in order, which no JSON body of an
//! object schema is.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

/// A map key: borrowed from the input when the deserializer allows it, owned otherwise.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Key<'de>, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => Ok(Key(Cow::Borrowed(s))),
                    Err(_) => Ok(Key(String::from_utf8_lossy(v).into_owned().into())),
                }
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key<'de>, E> {
                Ok(Key(String::from_utf8_lossy(v).into_owned().into()))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// What a struct does with a key it does not declare.
pub trait Unknown<'de> {
    /// Takes the key's value from `map` (or refuses the key).
    fn take<A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
        fields: &'static [&'static str],
    ) -> Result<(), A::Error>;
}

/// Unknown keys are skipped: the default of a derive, for types that responses carry.
pub struct Ignore;

impl<'de> Unknown<'de> for Ignore {
    fn take<A: MapAccess<'de>>(
        &mut self,
        _key: Key<'de>,
        map: &mut A,
        _fields: &'static [&'static str],
    ) -> Result<(), A::Error> {
        map.next_value::<IgnoredAny>().map(drop)
    }
}

/// Unknown keys are refused (`deny_unknown_fields`): types only requests use.
pub struct Deny;

impl<'de> Unknown<'de> for Deny {
    fn take<A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        _map: &mut A,
        fields: &'static [&'static str],
    ) -> Result<(), A::Error> {
        Err(de::Error::unknown_field(&key.0, fields))
    }
}

/// Unknown keys are kept with their values (`additionalProperties`, a flattened map).
impl<'de, V: Deserialize<'de>> Unknown<'de> for BTreeMap<String, V> {
    fn take<A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
        _fields: &'static [&'static str],
    ) -> Result<(), A::Error> {
        let value = map.next_value()?;
        self.insert(key.0.into_owned(), value);
        Ok(())
    }
}

/// The [`Unknown`] policy that skips keys.
pub fn ignore() -> Ignore {
    Ignore
}

/// The [`Unknown`] policy that refuses keys.
pub fn deny() -> Deny {
    Deny
}

/// The [`Unknown`] policy that keeps keys in a map.
pub fn additional<V>() -> BTreeMap<String, V> {
    BTreeMap::new()
}

/// A required property: written always; when absent from a body, `None` for an `Option`
/// and the error `missing field` for any other type, as a derive does.
pub mod req {
    use super::{de, Deserialize, Missing, PhantomData};

    /// The property's value, or what its absence means.
    pub fn take<'de, T: Deserialize<'de>, E: de::Error>(
        value: Option<T>,
        wire: &'static str,
    ) -> Result<T, E> {
        match value {
            Some(value) => Ok(value),
            None => T::deserialize(Missing(wire, PhantomData)),
        }
    }

    /// Never left out.
    pub fn skip<T>(_value: &T) -> bool {
        false
    }
}

/// An optional property: left out when `None`; `None` (its default) when absent.
pub mod opt {
    pub use super::nullable::take;

    /// Left out when `None`.
    pub fn skip<T>(value: &Option<T>) -> bool {
        value.is_none()
    }
}

/// A required property that may be `null` (or JSON of any kind): written always, even as
/// `null`; its type's default (`None`, JSON `null`) when absent.
pub mod nullable {
    pub use super::req::skip;

    /// The property's value, or its type's default.
    pub fn take<T: Default, E>(value: Option<T>, _wire: &'static str) -> Result<T, E> {
        Ok(value.unwrap_or_default())
    }
}

/// The value of an absent property: `None` to an `Option`, `missing field` to anything else.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// The error for a key that occurs twice.
pub fn duplicate<E: de::Error>(wire: &'static str) -> E {
    E::duplicate_field(wire)
}

/// `Serialize` and `Deserialize` for a generated struct, from its properties: each as
/// `field: "wire" req` (required: always written, an error when absent), `field: "wire" opt`
/// (an `Option` left out when `None`, `None` when absent) or `field: "wire" nullable` (always
/// written, its default when absent), followed by what to do with other keys: `ignore`,
/// `deny`, or `additional(field)` (kept in that `BTreeMap<String, _>` field, and written after
/// the properties). The struct's crate has the runtime at `crate::runtime`, as generated
/// crates do. Generated code invokes it once per struct:
///
/// ```text
/// crate::runtime::__private::serde_struct!(Pet { id: "id" req, tag: "tag" opt } ignore);
/// ```
#[doc(hidden)]
#[macro_export]
// `crate::runtime`, not `$crate`: in a crate that carries the runtime as its `runtime` module,
// `$crate` is that crate's root, so the one path that holds both ways is the caller's.
#[allow(clippy::crate_in_macro_def)]
macro_rules! __serde_struct {
    ($name:ident { $($field:ident: $wire:literal $kind:ident),* $(,)? } additional($extra:ident)) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                // Unused by a struct without properties.
                #[allow(unused_imports)]
                use crate::runtime::__private::serde_struct as fields;
                let mut map = serializer.serialize_map(None)?;
                $(if !fields::$kind::skip(&self.$field) {
                    map.serialize_entry($wire, &self.$field)?;
                })*
                for (key, value) in &self.$extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
        $crate::__serde_struct!(@de $name { $($field: $wire $kind),* } additional($extra));
    };
    ($name:ident { $($field:ident: $wire:literal $kind:ident),* $(,)? } $mode:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeStruct;
                // Unused by a struct without properties.
                #[allow(unused_imports)]
                use crate::runtime::__private::serde_struct as fields;
                let len = 0 $(+ usize::from(!fields::$kind::skip(&self.$field)))*;
                #[allow(unused_mut)] // A struct without properties writes none.
                let mut state = serializer.serialize_struct(stringify!($name), len)?;
                $(if fields::$kind::skip(&self.$field) {
                    state.skip_field($wire)?;
                } else {
                    state.serialize_field($wire, &self.$field)?;
                })*
                state.end()
            }
        }
        $crate::__serde_struct!(@de $name { $($field: $wire $kind),* } $mode);
    };
    (@de $name:ident { $($field:ident: $wire:literal $kind:ident),* } $mode:ident $(($extra:ident))?) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                use crate::runtime::__private::serde_struct as fields;
                const FIELDS: &[&str] = &[$($wire),*];
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        $(let mut $field = None;)*
                        let mut unknown = fields::$mode();
                        while let Some(key) = map.next_key::<fields::Key<'de>>()? {
                            match &*key.0 {
                                $($wire => {
                                    if $field.is_some() {
                                        return Err(fields::duplicate($wire));
                                    }
                                    $field = Some(map.next_value()?);
                                })*
                                _ => fields::Unknown::take(&mut unknown, key, &mut map, FIELDS)?,
                            }
                        }
                        Ok($name {
                            $($field: fields::$kind::take::<_, A::Error>($field, $wire)?,)*
                            $($extra: unknown,)?
                        })
                    }
                }
                deserializer.deserialize_struct(stringify!($name), FIELDS, __Visitor)
            }
        }
    };
}
