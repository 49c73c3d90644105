//! Encoding of a call's run-time values: placeholder values (one path segment
//! each), and `Serialize` values flattened into `key=value` pairs, which become
//! query pairs (form-encoded once) or headers.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
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

/// Where flattened `key=value` pairs go.
pub(crate) trait PairSink {
    /// What the pairs become, for error messages: "query" or "header".
    const KIND: &'static str;
    fn pair(&mut self, key: &str, value: &str) -> Result<(), EncodeError>;
}

/// Pairs appended to a query string, `&`-separated and form-encoded.
pub(crate) struct QuerySink<'a>(pub &'a mut String);

impl PairSink for QuerySink<'_> {
    const KIND: &'static str = "query";
    fn pair(&mut self, key: &str, value: &str) -> Result<(), EncodeError> {
        // At least this much is appended: one allocation instead of a few, and
        // room for the next pairs of a short query with the first.
        let needed = key.len() + value.len() + 2;
        let room = if self.0.capacity() == 0 {
            needed.max(64)
        } else {
            needed
        };
        self.0.reserve(room);
        if !self.0.is_empty() {
            self.0.push('&');
        }
        push_form(self.0, key);
        self.0.push('=');
        push_form(self.0, value);
        Ok(())
    }
}

/// Appends `text` form-urlencoded. Most keys and values (`limit`, `10`,
/// `created_at`) need no encoding and are copied as they are, which is what the
/// encoder would produce from them, without its chunk-by-chunk iteration.
fn push_form(out: &mut String, text: &str) {
    let kept = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_');
    if text.bytes().all(kept) {
        out.push_str(text);
    } else {
        out.extend(form_urlencoded::byte_serialize(text.as_bytes()));
    }
}

/// Pairs appended to a query string whose literal part already set `taken` keys;
/// setting one of those again is an error (rule 6 of the DSL, checked at run time
/// for `query = value` and `query<Q>`).
pub(crate) struct CheckedQuerySink<'a> {
    pub query: QuerySink<'a>,
    pub taken: &'a [&'a str],
}

impl PairSink for CheckedQuerySink<'_> {
    const KIND: &'static str = "query";
    fn pair(&mut self, key: &str, value: &str) -> Result<(), EncodeError> {
        if self.taken.contains(&key) {
            return Err(EncodeError::Shape(format!(
                "key `{key}` is set both in the URL's literal query string and in the query value"
            )));
        }
        self.query.pair(key, value)
    }
}

/// Pairs appended as headers; a sequence gives the header several times.
pub(crate) struct HeaderSink<'a>(pub &'a mut HeaderMap);

impl PairSink for HeaderSink<'_> {
    const KIND: &'static str = "header";
    fn pair(&mut self, key: &str, value: &str) -> Result<(), EncodeError> {
        let name = header_name(key)?;
        let value =
            HeaderValue::from_str(value).map_err(|_| EncodeError::HeaderValue(key.to_string()))?;
        self.0.append(name, value);
        Ok(())
    }
}

thread_local! {
    /// Header names parsed from field names, per thread: a `headers<H>` struct
    /// names the same few headers on every call, and parsing one (lowercasing,
    /// checking, allocating) costs more than finding it again.
    static HEADER_NAMES: std::cell::RefCell<Vec<(Box<str>, HeaderName)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Kept per thread at most: a map with arbitrary keys must not grow the cache.
const HEADER_NAMES_KEPT: usize = 16;

/// `key` as a header name, parsed once per thread.
fn header_name(key: &str) -> Result<HeaderName, EncodeError> {
    let cached = HEADER_NAMES.with(|names| {
        let names = names.borrow();
        names
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, name)| name.clone())
    });
    if let Some(name) = cached {
        return Ok(name);
    }
    let name = HeaderName::from_bytes(key.as_bytes())
        .map_err(|_| EncodeError::HeaderName(key.to_string()))?;
    HEADER_NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if names.len() < HEADER_NAMES_KEPT {
            names.push((key.into(), name.clone()));
        }
    });
    Ok(name)
}

/// Adds the pairs for one `key: value`. `None` adds nothing; a sequence adds the
/// key once per element.
pub(crate) fn push_pair<S: PairSink, T: Serialize + ?Sized>(
    sink: &mut S,
    key: &str,
    value: &T,
) -> Result<(), EncodeError> {
    value.serialize(ValueSerializer { sink, key })
}

/// Adds the pairs of a struct or map, one key per field (`query = value`,
/// `headers = value`, and the `query<Q>`/`headers<H>` of declarations).
pub(crate) fn push_fields<S: PairSink, T: Serialize + ?Sized>(
    sink: &mut S,
    value: &T,
) -> Result<(), EncodeError> {
    value.serialize(TopSerializer { sink })
}

/// Writes an integer in decimal on the stack, as `Display` does, without the
/// formatting machinery: query values are often integers (`limit=10`).
fn with_integer<R>(magnitude: u64, negative: bool, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 21];
    let mut start = buf.len();
    let mut rest = magnitude;
    loop {
        start -= 1;
        buf[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if negative {
        start -= 1;
        buf[start] = b'-';
    }
    // Digits and a sign are ASCII, so this is always text.
    match std::str::from_utf8(&buf[start..]) {
        Ok(text) => f(text),
        Err(_) => f(""),
    }
}

/// Formats `value` on the stack when it fits (numbers do), so writing a number
/// allocates nothing.
fn with_display<R>(value: impl Display, f: impl FnOnce(&str) -> R) -> R {
    struct StackBuf {
        buf: [u8; 48],
        len: usize,
    }
    impl Write for StackBuf {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len + s.len();
            let slot = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
            slot.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut stack = StackBuf {
        buf: [0; 48],
        len: 0,
    };
    if write!(stack, "{value}").is_ok() {
        // Only whole `&str`s were copied in, so the bytes are UTF-8.
        if let Ok(text) = std::str::from_utf8(&stack.buf[..stack.len]) {
            return f(text);
        }
    }
    f(&value.to_string())
}

/// Why a value cannot be written as pairs.
#[derive(Debug)]
pub(crate) enum EncodeError {
    /// The value has a shape pairs cannot hold (a nested map, bytes, ...).
    Shape(String),
    /// A header name produced by a field or map key is not a valid token.
    HeaderName(String),
    /// A header value holds a control character.
    HeaderValue(String),
}

impl Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Shape(message) => f.write_str(message),
            EncodeError::HeaderName(name) => write!(f, "`{name}` is not a valid header name"),
            EncodeError::HeaderValue(name) => {
                write!(
                    f,
                    "the value of header `{name}` contains a control character"
                )
            }
        }
    }
}

impl std::error::Error for EncodeError {}

impl ser::Error for EncodeError {
    fn custom<T: Display>(msg: T) -> Self {
        EncodeError::Shape(msg.to_string())
    }
}

fn unsupported<S: PairSink>(key: &str, what: &str) -> EncodeError {
    EncodeError::Shape(format!(
        "the value of `{key}` is {what}; a {} value must be a string, number, bool, \
         `Option` or a sequence of those",
        S::KIND
    ))
}

/// Serializes one value under `key`.
struct ValueSerializer<'a, S> {
    sink: &'a mut S,
    key: &'a str,
}

macro_rules! write_display {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), EncodeError> {
            with_display(v, |text| self.sink.pair(self.key, text))
        })*
    };
}

macro_rules! write_integer {
    (signed: $($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), EncodeError> {
            with_integer(u64::from(v.unsigned_abs()), v < 0, |text| self.sink.pair(self.key, text))
        })*
    };
    (unsigned: $($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), EncodeError> {
            with_integer(u64::from(v), false, |text| self.sink.pair(self.key, text))
        })*
    };
}

impl<'a, S: PairSink> ser::Serializer for ValueSerializer<'a, S> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = SeqSerializer<'a, S>;
    type SerializeTuple = SeqSerializer<'a, S>;
    type SerializeTupleStruct = SeqSerializer<'a, S>;
    type SerializeTupleVariant = Impossible<(), EncodeError>;
    type SerializeMap = Impossible<(), EncodeError>;
    type SerializeStruct = Impossible<(), EncodeError>;
    type SerializeStructVariant = Impossible<(), EncodeError>;

    write_display!(
        serialize_bool: bool, serialize_i128: i128, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64,
    );
    write_integer!(signed: serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    write_integer!(unsigned: serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    fn serialize_char(self, v: char) -> Result<(), EncodeError> {
        self.sink.pair(self.key, v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), EncodeError> {
        self.sink.pair(self.key, v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), EncodeError> {
        Err(unsupported::<S>(self.key, "bytes"))
    }
    fn serialize_none(self) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), EncodeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), EncodeError> {
        self.sink.pair(self.key, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), EncodeError> {
        Err(unsupported::<S>(self.key, "an enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<SeqSerializer<'a, S>, EncodeError> {
        Ok(SeqSerializer {
            sink: self.sink,
            key: self.key,
        })
    }
    fn serialize_tuple(self, _: usize) -> Result<SeqSerializer<'a, S>, EncodeError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<SeqSerializer<'a, S>, EncodeError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, EncodeError> {
        Err(unsupported::<S>(self.key, "an enum variant with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, EncodeError> {
        Err(unsupported::<S>(self.key, "a map"))
    }
    fn serialize_struct(
        self,
        name: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, EncodeError> {
        Err(unsupported::<S>(self.key, &format!("a struct (`{name}`)")))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, EncodeError> {
        Err(unsupported::<S>(self.key, "an enum variant with data"))
    }
}

/// A sequence under one key: `ids=1&ids=2`.
pub(crate) struct SeqSerializer<'a, S> {
    sink: &'a mut S,
    key: &'a str,
}

impl<S: PairSink> SeqSerializer<'_, S> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        push_pair(self.sink, self.key, value)
    }
}

impl<S: PairSink> ser::SerializeSeq for SeqSerializer<'_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.element(value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl<S: PairSink> ser::SerializeTuple for SeqSerializer<'_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.element(value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl<S: PairSink> ser::SerializeTupleStruct for SeqSerializer<'_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.element(value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

/// A struct or map whose fields are the keys.
struct TopSerializer<'a, S> {
    sink: &'a mut S,
}

fn not_a_struct<S: PairSink>(what: &str) -> EncodeError {
    EncodeError::Shape(format!(
        "`{kind} = value` takes a struct or a map, not {what}; for one key write \
         `{kind} {{ key: value }}`",
        kind = if S::KIND == "header" {
            "headers"
        } else {
            "query"
        },
    ))
}

macro_rules! refuse_scalars {
    ($($method:ident: $ty:ty => $what:literal),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<(), EncodeError> {
            Err(not_a_struct::<S>($what))
        })*
    };
}

impl<'a, S: PairSink> ser::Serializer for TopSerializer<'a, S> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = Impossible<(), EncodeError>;
    type SerializeTuple = Impossible<(), EncodeError>;
    type SerializeTupleStruct = Impossible<(), EncodeError>;
    type SerializeTupleVariant = Impossible<(), EncodeError>;
    type SerializeMap = MapSerializer<'a, S>;
    type SerializeStruct = MapSerializer<'a, S>;
    type SerializeStructVariant = Impossible<(), EncodeError>;

    refuse_scalars!(
        serialize_bool: bool => "a bool", serialize_i8: i8 => "a number",
        serialize_i16: i16 => "a number", serialize_i32: i32 => "a number",
        serialize_i64: i64 => "a number", serialize_u8: u8 => "a number",
        serialize_u16: u16 => "a number", serialize_u32: u32 => "a number",
        serialize_u64: u64 => "a number", serialize_f32: f32 => "a number",
        serialize_f64: f64 => "a number", serialize_char: char => "a char",
        serialize_str: &str => "a string", serialize_bytes: &[u8] => "bytes",
    );

    fn serialize_none(self) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), EncodeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), EncodeError> {
        Err(not_a_struct::<S>("an enum"))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), EncodeError> {
        Err(not_a_struct::<S>("an enum"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, EncodeError> {
        Err(not_a_struct::<S>("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, EncodeError> {
        Err(not_a_struct::<S>("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, EncodeError> {
        Err(not_a_struct::<S>("a tuple"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, EncodeError> {
        Err(not_a_struct::<S>("an enum"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapSerializer<'a, S>, EncodeError> {
        Ok(MapSerializer {
            sink: self.sink,
            key: String::new(),
        })
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<MapSerializer<'a, S>, EncodeError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, EncodeError> {
        Err(not_a_struct::<S>("an enum"))
    }
}

pub(crate) struct MapSerializer<'a, S> {
    sink: &'a mut S,
    /// The pending map key, between `serialize_key` and `serialize_value`.
    key: String,
}

impl<S: PairSink> ser::SerializeMap for MapSerializer<'_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), EncodeError> {
        // Map keys are rare enough here that going through a JSON value is fine.
        self.key = match serde_json::to_value(key) {
            Ok(serde_json::Value::String(key)) => key,
            Ok(serde_json::Value::Number(n)) => n.to_string(),
            Ok(serde_json::Value::Bool(b)) => b.to_string(),
            _ => {
                return Err(EncodeError::Shape(format!(
                    "{} map keys must be strings or numbers",
                    S::KIND
                )))
            }
        };
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        push_pair(self.sink, &self.key, value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl<S: PairSink> ser::SerializeStruct for MapSerializer<'_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        push_pair(self.sink, key, value)
    }
    fn end(self) -> Result<(), EncodeError> {
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

    /// Property: every value is one segment that decodes back to itself.
    #[test]
    fn arbitrary_values_round_trip_as_one_segment() {
        let mut gen = crate::testgen::Gen::new(0x5EED);
        for _ in 0..20_000 {
            let value = gen.string(24);
            let mut encoded = String::new();
            push_segment_text(&mut encoded, &value);
            assert!(
                encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
                "{encoded}"
            );
            let decoded = percent_encoding::percent_decode_str(&encoded)
                .decode_utf8()
                .unwrap();
            assert_eq!(decoded, value);
        }
    }

    /// Property: query pairs decode back to what was written.
    #[test]
    fn arbitrary_query_values_round_trip() {
        let mut gen = crate::testgen::Gen::new(0xC0FFEE);
        for _ in 0..5_000 {
            let (key, value) = (gen.string(8), gen.string(16));
            let mut query = String::new();
            push_pair(&mut QuerySink(&mut query), &key, value.as_str()).unwrap();
            let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            assert_eq!(pairs, [(key, value)]);
        }
    }

    /// Integers are written exactly as `Display` writes them.
    #[test]
    fn integers_are_written_as_display_writes_them() {
        let mut gen = crate::testgen::Gen::new(0x1_2345);
        let edges = [0, 1, 9, 10, 99, 100, i64::MAX, i64::MIN, -1, -10];
        let random = (0..20_000).map(|_| gen.next() as i64 >> gen.below(63));
        for v in edges.into_iter().chain(random) {
            assert_eq!(pairs("n", &v).unwrap(), format!("n={v}"));
            assert_eq!(
                pairs("n", &v.unsigned_abs()).unwrap(),
                format!("n={}", v.unsigned_abs())
            );
        }
        assert_eq!(pairs("n", &u64::MAX).unwrap(), format!("n={}", u64::MAX));
        assert_eq!(pairs("n", &-128i8).unwrap(), "n=-128");
        assert_eq!(pairs("n", &255u8).unwrap(), "n=255");
    }

    /// Cached header names are the names parsed; invalid ones are errors every
    /// time, and the cache never grows past its bound.
    #[test]
    fn header_names_are_cached_exactly() {
        for _ in 0..3 {
            assert_eq!(
                header_name("X-Request-Id").unwrap().as_str(),
                "x-request-id"
            );
            assert_eq!(
                header_name("x-request-id").unwrap().as_str(),
                "x-request-id"
            );
            assert!(
                matches!(header_name("Bad Name"), Err(EncodeError::HeaderName(n)) if n == "Bad Name")
            );
        }
        for n in 0..100 {
            let key = format!("X-Field-{n}");
            assert_eq!(
                header_name(&key).unwrap().as_str(),
                key.to_ascii_lowercase()
            );
        }
        assert_eq!(
            HEADER_NAMES.with(|names| names.borrow().len()),
            HEADER_NAMES_KEPT
        );
    }

    /// The fast path writes exactly what the form encoder writes, for text that
    /// needs encoding and text that does not.
    #[test]
    fn form_text_is_written_as_the_encoder_writes_it() {
        let mut gen = crate::testgen::Gen::new(0xF0_2B);
        let plain = [
            "limit",
            "10",
            "created_at",
            "a.b-c*d_e",
            "",
            "ÿ",
            "a b",
            "a+b",
            "~",
        ];
        let generated = (0..20_000).map(|_| gen.string(12));
        for text in plain.iter().map(|t| t.to_string()).chain(generated) {
            let mut written = String::from("x");
            push_form(&mut written, &text);
            let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
            assert_eq!(written, format!("x{encoded}"), "{text:?}");
        }
    }

    fn pairs<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<String, String> {
        let mut query = String::new();
        push_pair(&mut QuerySink(&mut query), key, value).map_err(|e| e.to_string())?;
        Ok(query)
    }

    fn fields<T: Serialize + ?Sized>(query: &mut String, value: &T) -> Result<(), String> {
        push_fields(&mut QuerySink(query), value).map_err(|e| e.to_string())
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

    #[test]
    fn long_numbers_and_floats_format_exactly() {
        assert_eq!(pairs("n", &u128::MAX).unwrap(), format!("n={}", u128::MAX));
        assert_eq!(pairs("f", &0.5f64).unwrap(), "f=0.5");
        // 1e300 prints 301 digits: past the stack buffer, through a String.
        assert_eq!(
            pairs("f", &1e300f64).unwrap(),
            format!("f=1{}", "0".repeat(300))
        );
    }

    #[test]
    fn header_fields_become_headers() {
        #[derive(Serialize)]
        struct Headers {
            #[serde(rename = "X-Request-Id")]
            request_id: u32,
            #[serde(rename = "X-Tag")]
            tags: Vec<&'static str>,
            #[serde(rename = "X-Skip")]
            skip: Option<u8>,
        }
        let mut map = HeaderMap::new();
        let value = Headers {
            request_id: 7,
            tags: vec!["a", "b"],
            skip: None,
        };
        push_fields(&mut HeaderSink(&mut map), &value).unwrap();
        assert_eq!(map["x-request-id"], "7");
        assert_eq!(map.get_all("x-tag").iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(!map.contains_key("x-skip"));
        let err = push_pair(&mut HeaderSink(&mut map), "X-Bad", "a\r\nb").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the value of header `X-Bad` contains a control character"
        );
        let err = push_pair(&mut HeaderSink(&mut map), "bad name", "v").unwrap_err();
        assert_eq!(err.to_string(), "`bad name` is not a valid header name");
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
        fields(&mut query, &page).unwrap();
        assert_eq!(
            query,
            "count=100&startIndex=1&filter=x+y&attributes=id&attributes=userName"
        );
    }

    #[test]
    fn top_level_must_be_a_struct_or_map() {
        let mut query = String::new();
        let err = fields(&mut query, &5).unwrap_err();
        assert!(
            err.contains("takes a struct or a map, not a number"),
            "{err}"
        );
        fields(&mut query, &None::<Page>).unwrap();
        fields(
            &mut query,
            &std::collections::BTreeMap::from([("b", 2), ("a", 1)]),
        )
        .unwrap();
        assert_eq!(query, "a=1&b=2");
    }
}
