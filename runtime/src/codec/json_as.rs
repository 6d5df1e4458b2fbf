//! Adapters that give fields their JSON form through serde's
//! `serialize_with` / `deserialize_with`.
//!
//! An adapter is a type implementing [`JsonAs<T>`]; combinators ([`Opt`],
//! [`Seq`], [`MapOf`], [`Boxed`]) lift one over containers, so generated
//! code can describe any field with a single type such as
//! `Opt<Seq<TsMicros>>`.
//!
//! | adapter | Rust type | JSON |
//! | --- | --- | --- |
//! | [`Same`] | any serde type | the type's own form |
//! | [`TsMillis`], [`TsMicros`], [`TsNanos`] | `DateTime<Utc>` | `"2024-05-01T12:00:00.000000Z"` (3/6/9 digits) |
//! | [`LocalTsMillis`], [`LocalTsMicros`], [`LocalTsNanos`] | `NaiveDateTime` | `"2024-05-01T12:00:00.000000"` |
//! | [`Base64`] | `Vec<u8>` | standard base64 with padding |
//! | [`FixedBase64`] | `[u8; N]` | standard base64 with padding |
//!
//! Timestamps are written in UTC with a fixed number of fractional digits;
//! any RFC 3339 offset is accepted on input, and digits beyond the
//! adapter's precision are truncated so JSON and Avro decode alike.
//!
//! # Examples
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use serde::{Deserialize, Serialize};
//! use schemabus_runtime::codec::json_as::{self, Seq, TsMicros};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Seen {
//!     #[serde(
//!         serialize_with = "json_as::serialize::<Seq<TsMicros>, _, _>",
//!         deserialize_with = "json_as::deserialize::<Seq<TsMicros>, _, _>"
//!     )]
//!     at: Vec<DateTime<Utc>>,
//! }
//!
//! let json = r#"{"at":["2024-05-01T14:00:00.5+02:00"]}"#;
//! let seen: Seen = serde_json::from_str(json)?;
//! assert_eq!(serde_json::to_string(&seen)?, r#"{"at":["2024-05-01T12:00:00.500000Z"]}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, SubsecRound, Utc};
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::base64;
use crate::types::Decimal;

/// How a value of type `T` is written to and read from JSON.
pub trait JsonAs<T> {
    /// Serializes `v`.
    ///
    /// # Errors
    ///
    /// The serializer's.
    fn ser<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error>;

    /// Deserializes a `T`.
    ///
    /// # Errors
    ///
    /// The deserializer's, or a custom error for malformed values.
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error>;
}

/// Serializes `v` with adapter `A`; for `#[serde(serialize_with = …)]`.
///
/// # Errors
///
/// As [`JsonAs::ser`].
pub fn serialize<A: JsonAs<T>, T, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    A::ser(v, s)
}

/// Deserializes with adapter `A`; for `#[serde(deserialize_with = …)]`.
///
/// # Errors
///
/// As [`JsonAs::de`].
pub fn deserialize<'de, A: JsonAs<T>, T, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    A::de(d)
}

/// Lets a container serialize its items with `A`.
struct SerAs<'a, A, T>(&'a T, PhantomData<A>);

impl<A: JsonAs<T>, T> Serialize for SerAs<'_, A, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        A::ser(self.0, s)
    }
}

fn ser_as<A, T>(v: &T) -> SerAs<'_, A, T> {
    SerAs(v, PhantomData)
}

/// Lets a container deserialize its items with `A`.
struct DeAs<A, T>(T, PhantomData<A>);

impl<'de, A: JsonAs<T>, T> Deserialize<'de> for DeAs<A, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        A::de(d).map(|v| DeAs(v, PhantomData))
    }
}

/// The type's own serde form.
#[derive(Debug, Clone, Copy)]
pub struct Same;

impl<T: Serialize + DeserializeOwned> JsonAs<T> for Same {
    fn ser<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

/// `Option<T>` with `A` for the value; `None` is `null`.
#[derive(Debug, Clone, Copy)]
pub struct Opt<A>(PhantomData<A>);

impl<A: JsonAs<T>, T> JsonAs<Option<T>> for Opt<A> {
    fn ser<S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(&ser_as::<A, T>(v)),
            None => s.serialize_none(),
        }
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        Ok(Option::<DeAs<A, T>>::deserialize(d)?.map(|v| v.0))
    }
}

/// `Vec<T>` as a JSON array, `A` for each item.
#[derive(Debug, Clone, Copy)]
pub struct Seq<A>(PhantomData<A>);

impl<A: JsonAs<T>, T> JsonAs<Vec<T>> for Seq<A> {
    fn ser<S: Serializer>(v: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(ser_as::<A, T>))
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Ok(Vec::<DeAs<A, T>>::deserialize(d)?
            .into_iter()
            .map(|v| v.0)
            .collect())
    }
}

/// `BTreeMap<String, T>` as a JSON object, `A` for each value.
#[derive(Debug, Clone, Copy)]
pub struct MapOf<A>(PhantomData<A>);

impl<A: JsonAs<T>, T> JsonAs<BTreeMap<String, T>> for MapOf<A> {
    fn ser<S: Serializer>(v: &BTreeMap<String, T>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(v.iter().map(|(k, v)| (k, ser_as::<A, T>(v))))
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, T>, D::Error> {
        let m = BTreeMap::<String, DeAs<A, T>>::deserialize(d)?;
        Ok(m.into_iter().map(|(k, v)| (k, v.0)).collect())
    }
}

/// `Box<T>` (recursive types) with `A` for the value.
#[derive(Debug, Clone, Copy)]
pub struct Boxed<A>(PhantomData<A>);

impl<A: JsonAs<T>, T> JsonAs<Box<T>> for Boxed<A> {
    fn ser<S: Serializer>(v: &Box<T>, s: S) -> Result<S::Ok, S::Error> {
        A::ser(v, s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Box<T>, D::Error> {
        A::de(d).map(Box::new)
    }
}

/// Deserializes a string and hands it to `parse` without allocating.
fn de_str<'de, D, T, F>(d: D, expecting: &'static str, parse: F) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    F: FnOnce(&str) -> Result<T, String>,
{
    struct V<F>(F, &'static str);
    impl<T, F: FnOnce(&str) -> Result<T, String>> Visitor<'_> for V<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(V(parse, expecting))
}

/// RFC 3339 has four-digit years only: a time outside 0000–9999 would be
/// written in a form no RFC 3339 parser reads back, so it is an error.
fn check_rfc3339_year<S: Serializer>(year: i32) -> Result<(), S::Error> {
    if (0..=9999).contains(&year) {
        Ok(())
    } else {
        Err(serde::ser::Error::custom(format!(
            "year {year} is outside 0000-9999, the range RFC 3339 timestamps can express"
        )))
    }
}

macro_rules! timestamp {
    ($name:ident, $digits:literal, $fmt:literal, $doc:literal) => {
        #[doc = concat!("`DateTime<Utc>` as RFC 3339 in UTC with ", $doc, " fractional digits and `Z`.")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl JsonAs<DateTime<Utc>> for $name {
            fn ser<S: Serializer>(v: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
                check_rfc3339_year::<S>(v.year())?;
                s.collect_str(&v.format($fmt))
            }
            fn de<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
                de_str(d, "an RFC 3339 timestamp", |s| {
                    DateTime::parse_from_rfc3339(s)
                        .map(|t| t.with_timezone(&Utc).trunc_subsecs($digits))
                        .map_err(|e| format!("invalid timestamp {s:?}: {e}"))
                })
            }
        }
    };
}

timestamp!(TsMillis, 3, "%Y-%m-%dT%H:%M:%S%.3fZ", "3");
timestamp!(TsMicros, 6, "%Y-%m-%dT%H:%M:%S%.6fZ", "6");
timestamp!(TsNanos, 9, "%Y-%m-%dT%H:%M:%S%.9fZ", "9");

macro_rules! local_timestamp {
    ($name:ident, $digits:literal, $fmt:literal, $doc:literal) => {
        #[doc = concat!("`NaiveDateTime` as `YYYY-MM-DDTHH:MM:SS` with ", $doc, " fractional digits, no offset.")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl JsonAs<NaiveDateTime> for $name {
            fn ser<S: Serializer>(v: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
                // `%Y` writes and reads back signed and 5+-digit years here.
                s.collect_str(&v.format($fmt))
            }
            fn de<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
                de_str(d, "a local date-time", |s| {
                    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                        .map(|t| t.trunc_subsecs($digits))
                        .map_err(|e| format!("invalid local timestamp {s:?}: {e}"))
                })
            }
        }
    };
}

local_timestamp!(LocalTsMillis, 3, "%Y-%m-%dT%H:%M:%S%.3f", "3");
local_timestamp!(LocalTsMicros, 6, "%Y-%m-%dT%H:%M:%S%.6f", "6");
local_timestamp!(LocalTsNanos, 9, "%Y-%m-%dT%H:%M:%S%.9f", "9");

/// A `decimal` with the schema's scale: written as its string, read from
/// any decimal string and brought to `SCALE`, so JSON `"1.5"` and Avro
/// agree on `1.50`; digits the scale cannot hold are an error.
#[derive(Debug, Clone, Copy)]
pub struct DecimalScale<const SCALE: u32>;

impl<const SCALE: u32> JsonAs<Decimal> for DecimalScale<SCALE> {
    fn ser<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let parsed = Decimal::deserialize(d)?;
        parsed.rescale(SCALE).ok_or_else(|| {
            de::Error::custom(format!(
                "decimal {parsed} has more than {SCALE} fractional digits"
            ))
        })
    }
}

macro_rules! time_of_day {
    ($name:ident, $digits:literal, $fmt:literal, $doc:literal) => {
        #[doc = concat!("`NaiveTime` as `HH:MM:SS` with ", $doc, " fractional digits, truncated on input to match Avro.")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl JsonAs<NaiveTime> for $name {
            fn ser<S: Serializer>(v: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&v.format($fmt))
            }
            fn de<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
                de_str(d, "a time of day", |s| {
                    NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
                        .map(|t| t.trunc_subsecs($digits))
                        .map_err(|e| format!("invalid time of day {s:?}: {e}"))
                })
            }
        }
    };
}

time_of_day!(TimeMillis, 3, "%H:%M:%S%.3f", "3");
time_of_day!(TimeMicros, 6, "%H:%M:%S%.6f", "6");

/// `Vec<u8>` as standard base64 with padding.
#[derive(Debug, Clone, Copy)]
pub struct Base64;

impl JsonAs<Vec<u8>> for Base64 {
    fn ser<S: Serializer>(v: &Vec<u8>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::encode(v))
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        de_str(d, "a base64 string", |s| {
            base64::decode(s).map_err(|e| e.to_string())
        })
    }
}

/// `[u8; N]` (an Avro `fixed`) as standard base64 with padding.
#[derive(Debug, Clone, Copy)]
pub struct FixedBase64;

impl<const N: usize> JsonAs<[u8; N]> for FixedBase64 {
    fn ser<S: Serializer>(v: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::encode(v))
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; N], D::Error> {
        de_str(d, "a base64 string", |s| {
            let v = base64::decode(s).map_err(|e| e.to_string())?;
            <[u8; N]>::try_from(v.as_slice())
                .map_err(|_| format!("expected {N} bytes, got {}", v.len()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Row {
        #[serde(
            serialize_with = "serialize::<TsMicros, _, _>",
            deserialize_with = "deserialize::<TsMicros, _, _>"
        )]
        at: DateTime<Utc>,
        #[serde(
            serialize_with = "serialize::<TsMillis, _, _>",
            deserialize_with = "deserialize::<TsMillis, _, _>"
        )]
        ms: DateTime<Utc>,
        #[serde(
            serialize_with = "serialize::<TsNanos, _, _>",
            deserialize_with = "deserialize::<TsNanos, _, _>"
        )]
        ns: DateTime<Utc>,
        #[serde(
            serialize_with = "serialize::<LocalTsMicros, _, _>",
            deserialize_with = "deserialize::<LocalTsMicros, _, _>"
        )]
        local: NaiveDateTime,
        #[serde(
            serialize_with = "serialize::<Opt<Base64>, _, _>",
            deserialize_with = "deserialize::<Opt<Base64>, _, _>"
        )]
        blob: Option<Vec<u8>>,
        #[serde(
            serialize_with = "serialize::<MapOf<FixedBase64>, _, _>",
            deserialize_with = "deserialize::<MapOf<FixedBase64>, _, _>"
        )]
        ids: BTreeMap<String, [u8; 2]>,
        #[serde(
            serialize_with = "serialize::<Seq<Opt<Boxed<Same>>>, _, _>",
            deserialize_with = "deserialize::<Seq<Opt<Boxed<Same>>>, _, _>"
        )]
        nums: Vec<Option<Box<i32>>>,
    }

    #[test]
    fn fixed_precision_formatting() -> Result<(), serde_json::Error> {
        let t = NaiveDate::from_ymd_opt(2024, 5, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default();
        let row = Row {
            at: t.and_utc(),
            ms: t.and_utc(),
            ns: t.and_utc(),
            local: t,
            blob: Some(b"hi!?".to_vec()),
            ids: BTreeMap::from([("a".to_owned(), [0xfb, 0xff])]),
            nums: vec![Some(Box::new(1)), None],
        };
        let json = serde_json::to_string(&row)?;
        assert_eq!(
            json,
            r#"{"at":"2024-05-01T12:00:00.000000Z","ms":"2024-05-01T12:00:00.000Z","ns":"2024-05-01T12:00:00.000000000Z","local":"2024-05-01T12:00:00.000000","blob":"aGkhPw==","ids":{"a":"+/8="},"nums":[1,null]}"#
        );
        assert_eq!(serde_json::from_str::<Row>(&json)?, row);
        Ok(())
    }

    #[test]
    fn accepts_offsets_and_truncates() -> Result<(), serde_json::Error> {
        let json = r#"{"at":"2024-05-01T14:00:00.1234567+02:00","ms":"2024-05-01T12:00:00Z","ns":"2024-05-01T12:00:00.123456789Z","local":"2024-05-01T12:00:00","blob":null,"ids":{},"nums":[]}"#;
        let row: Row = serde_json::from_str(json)?;
        assert_eq!(
            serde_json::to_value(&row)?["at"],
            "2024-05-01T12:00:00.123456Z"
        );
        assert_eq!(
            serde_json::to_value(&row)?["ns"],
            "2024-05-01T12:00:00.123456789Z"
        );
        assert_eq!(row.local.and_utc().timestamp(), row.ms.timestamp());
        assert!(serde_json::from_str::<Row>(&json.replace("+02:00", "")).is_err());
        Ok(())
    }

    #[test]
    fn base64_errors() {
        assert!(base64::decode("abc").is_err());
        assert!(base64::decode("a=bc").is_err());
        assert!(base64::decode("ab==abcd").is_err());
        assert!(base64::decode("ab!c").is_err());
        assert_eq!(base64::decode(""), Ok(vec![]));
        let wrong_len = serde_json::from_str::<Row>(
            r#"{"at":"2024-05-01T12:00:00Z","ms":"2024-05-01T12:00:00Z","ns":"2024-05-01T12:00:00Z","local":"2024-05-01T12:00:00","blob":null,"ids":{"a":"AAAA"},"nums":[]}"#,
        );
        assert!(wrong_len.is_err());
    }

    proptest! {
        #[test]
        fn base64_round_trip(data: Vec<u8>) {
            let s = base64::encode(&data);
            prop_assert_eq!(s.len(), data.len().div_ceil(3) * 4);
            prop_assert_eq!(base64::decode(&s), Ok(data));
        }
    }
}
