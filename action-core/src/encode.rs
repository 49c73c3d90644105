//! Encoding of the two run-time parts of a URL: placeholder values (one path
//! segment each) and query values (`key=value` pairs, form-encoded once).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde::ser::{self, Impossible, Serialize};
use std::fmt::{self, Display, Write};

/// Everything but RFC 3986 `unreserved` is encoded, so a value is always exactly
/// one segment: `/` becomes `%2F`, `%` becomes `%25`, space `%20`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `text` to `path`, percent-encoded for use inside one path segment.
/// Called once per chunk as a value is formatted, so a value never needs its own
/// string. (Values that are empty, `.` or `..` are refused by the caller: URL
/// parsers resolve `..` and `%2E%2E` alike, so no encoding keeps them.)
pub(crate) fn push_segment_text(path: &mut String, text: &str) {
    path.extend(percent_encoding::utf8_percent_encode(text, SEGMENT));
}

/// Appends `key=` (form-encoded), after a `&` if pairs precede it.
fn start_pair(query: &mut String, key: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    query.extend(form_urlencoded::byte_serialize(key.as_bytes()));
    query.push('=');
}

/// Appends `key=value` to a query string, form-encoding both.
fn push_pair(query: &mut String, key: &str, value: &str) {
    start_pair(query, key);
    query.extend(form_urlencoded::byte_serialize(value.as_bytes()));
}

/// Appends the pairs for one `key: value` of a `query { .. }` clause. `None` writes
/// nothing; a sequence writes the key once per element.
pub(crate) fn push_query_pair<T: Serialize + ?Sized>(
    query: &mut String,
    key: &str,
    value: &T,
) -> Result<(), QueryError> {
    value.serialize(ValueSerializer { query, key })
}

/// Appends the pairs of a `query = value` clause: a struct or map, each field one key.
pub(crate) fn push_query_value<T: Serialize + ?Sized>(
    query: &mut String,
    value: &T,
) -> Result<(), QueryError> {
    value.serialize(TopSerializer { query })
}

/// Why a value cannot be written as query pairs.
#[derive(Debug)]
pub(crate) struct QueryError(pub String);

impl Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

impl ser::Error for QueryError {
    fn custom<T: Display>(msg: T) -> Self {
        QueryError(msg.to_string())
    }
}

fn unsupported(key: &str, what: &str) -> QueryError {
    QueryError(format!(
        "the value of `{key}` is {what}; a query value must be a string, number, bool, \
         `Option` or a sequence of those"
    ))
}

/// Serializes one query value under `key`.
struct ValueSerializer<'a> {
    query: &'a mut String,
    key: &'a str,
}

impl ValueSerializer<'_> {
    fn write(self, value: &str) -> Result<(), QueryError> {
        push_pair(self.query, self.key, value);
        Ok(())
    }
}

macro_rules! write_display {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), QueryError> {
            // Numbers and bools print only characters that need no form encoding
            // (digits, `-`, `.`, letters), so they are written in place.
            start_pair(self.query, self.key);
            let _ = write!(self.query, "{v}");
            Ok(())
        })*
    };
}

impl<'a> ser::Serializer for ValueSerializer<'a> {
    type Ok = ();
    type Error = QueryError;
    type SerializeSeq = SeqSerializer<'a>;
    type SerializeTuple = SeqSerializer<'a>;
    type SerializeTupleStruct = SeqSerializer<'a>;
    type SerializeTupleVariant = Impossible<(), QueryError>;
    type SerializeMap = Impossible<(), QueryError>;
    type SerializeStruct = Impossible<(), QueryError>;
    type SerializeStructVariant = Impossible<(), QueryError>;

    write_display!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64,
    );

    fn serialize_char(self, v: char) -> Result<(), QueryError> {
        self.write(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), QueryError> {
        self.write(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), QueryError> {
        Err(unsupported(self.key, "bytes"))
    }
    fn serialize_none(self) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), QueryError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), QueryError> {
        self.write(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), QueryError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), QueryError> {
        Err(unsupported(self.key, "an enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<SeqSerializer<'a>, QueryError> {
        Ok(SeqSerializer {
            query: self.query,
            key: self.key,
        })
    }
    fn serialize_tuple(self, _: usize) -> Result<SeqSerializer<'a>, QueryError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<SeqSerializer<'a>, QueryError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, QueryError> {
        Err(unsupported(self.key, "an enum variant with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, QueryError> {
        Err(unsupported(self.key, "a map"))
    }
    fn serialize_struct(
        self,
        name: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, QueryError> {
        Err(unsupported(self.key, &format!("a struct (`{name}`)")))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, QueryError> {
        Err(unsupported(self.key, "an enum variant with data"))
    }
}

/// A sequence under one key: `ids=1&ids=2`.
pub(crate) struct SeqSerializer<'a> {
    query: &'a mut String,
    key: &'a str,
}

impl SeqSerializer<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        value.serialize(ValueSerializer {
            query: self.query,
            key: self.key,
        })
    }
}

impl ser::SerializeSeq for SeqSerializer<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        self.element(value)
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

impl ser::SerializeTuple for SeqSerializer<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        self.element(value)
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for SeqSerializer<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        self.element(value)
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

/// The value of `query = value`: a struct or map whose fields are the keys.
struct TopSerializer<'a> {
    query: &'a mut String,
}

fn not_a_struct(what: &str) -> QueryError {
    QueryError(format!(
        "`query = value` takes a struct or a map, not {what}; for one key write \
         `query {{ key: value }}`"
    ))
}

impl<'a> ser::Serializer for TopSerializer<'a> {
    type Ok = ();
    type Error = QueryError;
    type SerializeSeq = Impossible<(), QueryError>;
    type SerializeTuple = Impossible<(), QueryError>;
    type SerializeTupleStruct = Impossible<(), QueryError>;
    type SerializeTupleVariant = Impossible<(), QueryError>;
    type SerializeMap = MapSerializer<'a>;
    type SerializeStruct = MapSerializer<'a>;
    type SerializeStructVariant = Impossible<(), QueryError>;

    fn serialize_bool(self, _: bool) -> Result<(), QueryError> {
        Err(not_a_struct("a bool"))
    }
    fn serialize_i8(self, _: i8) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_i16(self, _: i16) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_i32(self, _: i32) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_i64(self, _: i64) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_u8(self, _: u8) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_u16(self, _: u16) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_u32(self, _: u32) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_u64(self, _: u64) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_f32(self, _: f32) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_f64(self, _: f64) -> Result<(), QueryError> {
        Err(not_a_struct("a number"))
    }
    fn serialize_char(self, _: char) -> Result<(), QueryError> {
        Err(not_a_struct("a char"))
    }
    fn serialize_str(self, _: &str) -> Result<(), QueryError> {
        Err(not_a_struct("a string"))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), QueryError> {
        Err(not_a_struct("bytes"))
    }
    fn serialize_none(self) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), QueryError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), QueryError> {
        Err(not_a_struct("an enum"))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), QueryError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), QueryError> {
        Err(not_a_struct("an enum"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, QueryError> {
        Err(not_a_struct("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, QueryError> {
        Err(not_a_struct("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, QueryError> {
        Err(not_a_struct("a tuple"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, QueryError> {
        Err(not_a_struct("an enum"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapSerializer<'a>, QueryError> {
        Ok(MapSerializer {
            query: self.query,
            key: String::new(),
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MapSerializer<'a>, QueryError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, QueryError> {
        Err(not_a_struct("an enum"))
    }
}

pub(crate) struct MapSerializer<'a> {
    query: &'a mut String,
    /// The pending map key, between `serialize_key` and `serialize_value`.
    key: String,
}

impl ser::SerializeMap for MapSerializer<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), QueryError> {
        // Map keys are rare enough here that going through a JSON value is fine.
        self.key = match serde_json::to_value(key) {
            Ok(serde_json::Value::String(key)) => key,
            Ok(serde_json::Value::Number(n)) => n.to_string(),
            Ok(serde_json::Value::Bool(b)) => b.to_string(),
            _ => {
                return Err(QueryError(
                    "query map keys must be strings or numbers".into(),
                ))
            }
        };
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        push_query_pair(self.query, &self.key, value)
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

impl ser::SerializeStruct for MapSerializer<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), QueryError> {
        push_query_pair(self.query, key, value)
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn segment(value: &str) -> String {
        let mut path = String::from("/Users/");
        push_segment_text(&mut path, value);
        path
    }

    #[test]
    fn segments_are_encoded_once_and_whole() {
        assert_eq!(segment("a/b"), "/Users/a%2Fb");
        assert_eq!(segment("100%"), "/Users/100%25");
        assert_eq!(segment("%2F"), "/Users/%252F");
        assert_eq!(segment("a b"), "/Users/a%20b");
        assert_eq!(segment("José"), "/Users/Jos%C3%A9");
        assert_eq!(segment("a.b-c_d~e"), "/Users/a.b-c_d~e");
        assert_eq!(segment("?#&=+"), "/Users/%3F%23%26%3D%2B");
        assert_eq!(segment("..."), "/Users/...");
    }

    /// Every value decodes back to itself: the encoder loses nothing.
    #[test]
    fn segments_round_trip() {
        let samples = [
            "a/b",
            "..a",
            "%%",
            "x y\tz",
            "ü€𝄞",
            "\u{0}\u{7f}",
            "a?b#c",
            "+",
        ];
        for value in samples {
            let mut encoded = String::new();
            push_segment_text(&mut encoded, value);
            assert!(!encoded.contains('/'), "{encoded}");
            let decoded = percent_encoding::percent_decode_str(&encoded)
                .decode_utf8()
                .unwrap();
            assert_eq!(decoded, value);
        }
    }

    fn pairs<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<String, String> {
        let mut query = String::new();
        push_query_pair(&mut query, key, value).map_err(|e| e.0)?;
        Ok(query)
    }

    #[test]
    fn query_values_are_form_encoded() {
        assert_eq!(
            pairs("filter", r#"userName eq "a&b""#).unwrap(),
            "filter=userName+eq+%22a%26b%22"
        );
        assert_eq!(pairs("n", &5).unwrap(), "n=5");
        assert_eq!(pairs("ok", &true).unwrap(), "ok=true");
        assert_eq!(pairs("k=y", "é").unwrap(), "k%3Dy=%C3%A9");
    }

    #[test]
    fn none_is_left_out_and_sequences_repeat() {
        assert_eq!(pairs("a", &None::<u32>).unwrap(), "");
        assert_eq!(pairs("a", &Some(3)).unwrap(), "a=3");
        assert_eq!(pairs("ids", &[1, 2, 3]).unwrap(), "ids=1&ids=2&ids=3");
        assert_eq!(
            pairs("ids", &vec![Some("x"), None, Some("y")]).unwrap(),
            "ids=x&ids=y"
        );
        assert_eq!(pairs("ids", &Vec::<u8>::new()).unwrap(), "");
    }

    #[test]
    fn nested_values_are_refused() {
        let err = pairs("m", &std::collections::BTreeMap::from([("a", 1)])).unwrap_err();
        assert!(err.contains("the value of `m` is a map"), "{err}");
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Page {
        start_index: u32,
        count: Option<u32>,
        filter: Option<&'static str>,
        attributes: Vec<&'static str>,
    }

    #[test]
    fn structs_write_their_fields_in_order() {
        let page = Page {
            start_index: 1,
            count: None,
            filter: Some("x y"),
            attributes: vec!["id", "userName"],
        };
        let mut query = String::from("count=100");
        push_query_value(&mut query, &page).unwrap();
        assert_eq!(
            query,
            "count=100&startIndex=1&filter=x+y&attributes=id&attributes=userName"
        );
    }

    #[test]
    fn top_level_must_be_a_struct_or_map() {
        let mut query = String::new();
        let err = push_query_value(&mut query, &5).unwrap_err();
        assert!(
            err.0.contains("takes a struct or a map, not a number"),
            "{}",
            err.0
        );
        push_query_value(&mut query, &None::<Page>).unwrap();
        push_query_value(
            &mut query,
            &std::collections::BTreeMap::from([("b", 2), ("a", 1)]),
        )
        .unwrap();
        assert_eq!(query, "a=1&b=2");
    }
}
