//! Whether a text is a value's JSON, as `serde_json::to_vec` writes it, found without writing it:
//! a `serde::Serializer` that walks the value and compares each piece with the text where that
//! piece belongs, stopping at the first byte that differs. A string holding nothing that JSON
//! escapes (nearly every one) is compared in place, its bytes with the text's; a number is
//! written by `itoa`, as serde_json writes it; anything rarer (a string to escape, a float, bytes)
//! is written by serde_json itself, a piece at a time, and compared. `audit verify` compares the
//! forces of every checkpoint of the state (tens of megabytes, for a large directory) this way:
//! in half the time it takes to write them.
use std::fmt::Display;

use serde::ser::{self, Impossible, Serialize};

/// The number of bytes at the start of `text` that are `value`'s JSON, if they are.
pub fn prefix_len<T: Serialize + ?Sized>(value: &T, text: &[u8]) -> Option<usize> {
    let mut matcher = Matcher { text, at: 0, scratch: Vec::new() };
    value.serialize(&mut matcher).ok().map(|()| matcher.at)
}

/// Whether `text` is `value`'s JSON, byte for byte.
pub fn is_json_of<T: Serialize + ?Sized>(value: &T, text: &[u8]) -> bool {
    prefix_len(value, text) == Some(text.len())
}

/// Whether the text of `value` as serde_json writes it (the same code as `serde_json::to_vec`) is
/// the text in `parts`, one after the other, byte for byte. Compared as it is written, a piece at
/// a time, into no buffer: for the types rarely written, where a matcher of their own would be
/// more code than it saves.
pub fn writes_as<T: Serialize + ?Sized>(value: &T, parts: [&[u8]; 2]) -> bool {
    let mut expected = Expected { parts };
    // through `dyn Write`, as `write_json` writes: one copy of serde_json's code for `T`, not two
    // (a second for the state's types was 97 KB of the binary)
    serde_json::to_writer(&mut expected as &mut dyn std::io::Write, value).is_ok()
        && expected.parts.iter().all(|p| p.is_empty())
}

/// `value` written as JSON by serde_json, compactly, as `writes_as` compares it.
pub fn write_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut text = Vec::new();
    serde_json::to_writer(&mut text as &mut dyn std::io::Write, value)?;
    Ok(text)
}

/// What is still to be written, stopping at the first byte that differs.
struct Expected<'a> {
    parts: [&'a [u8]; 2],
}

impl std::io::Write for Expected<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        for part in &mut self.parts {
            let (now, later) = rest.split_at(rest.len().min(part.len()));
            let Some(left) = part.strip_prefix(now) else { break };
            (*part, rest) = (left, later);
        }
        if rest.is_empty() {
            Ok(buf.len())
        } else {
            Err(std::io::ErrorKind::InvalidData.into())
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The text, and how much of it matched so far.
struct Matcher<'a> {
    text: &'a [u8],
    at: usize,
    /// where the rarer pieces are written by serde_json to be compared
    scratch: Vec<u8>,
}

/// The text is not the value's JSON (or the value cannot be written as JSON).
#[derive(Debug)]
pub struct Differs;

impl Display for Differs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the text is not the value's JSON")
    }
}

impl std::error::Error for Differs {}

impl ser::Error for Differs {
    fn custom<T: Display>(_: T) -> Self {
        Differs
    }
}

type Matched = Result<(), Differs>;

impl Matcher<'_> {
    fn bytes(&mut self, bytes: &[u8]) -> Matched {
        let end = self.at + bytes.len();
        if self.text.get(self.at..end) != Some(bytes) {
            return Err(Differs);
        }
        self.at = end;
        Ok(())
    }

    fn byte(&mut self, byte: u8) -> Matched {
        if self.text.get(self.at) != Some(&byte) {
            return Err(Differs);
        }
        self.at += 1;
        Ok(())
    }

    fn string(&mut self, s: &str) -> Matched {
        // a byte serde_json escapes (a control character, `"` or `\`); every byte looked at, none
        // skipped early: the loop is made of vector instructions
        if s.bytes().fold(false, |any, b| any | (b < 0x20) | (b == b'"') | (b == b'\\')) {
            return self.written(s);
        }
        self.byte(b'"')?;
        self.bytes(s.as_bytes())?;
        self.byte(b'"')
    }

    fn integer<I: itoa::Integer>(&mut self, i: I) -> Matched {
        self.bytes(itoa::Buffer::new().format(i).as_bytes())
    }

    /// A piece as serde_json writes it.
    fn written<T: Serialize + ?Sized>(&mut self, value: &T) -> Matched {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        serde_json::to_writer(&mut scratch, value).map_err(|_| Differs)?;
        let matched = self.bytes(&scratch);
        self.scratch = scratch;
        matched
    }

    /// `{"variant":`, which opens a variant with data.
    fn variant(&mut self, variant: &str) -> Matched {
        self.byte(b'{')?;
        self.string(variant)?;
        self.byte(b':')
    }
}

/// A list, map or struct begun, or the first byte that differs.
type Opened<'m, 'a> = Result<Compound<'m, 'a>, Differs>;

impl<'a> Matcher<'a> {
    /// A list, map or struct: its opening bytes, and the closing ones `Compound::end` expects.
    fn open<'m>(&'m mut self, opening: u8, closing: &'static [u8]) -> Opened<'m, 'a> {
        self.byte(opening)?;
        Ok(Compound { matcher: self, first: true, closing })
    }
}

/// A list, map or struct: a comma before every item but the first, and its closing bytes.
pub struct Compound<'m, 'a> {
    matcher: &'m mut Matcher<'a>,
    first: bool,
    closing: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) -> Matched {
        if std::mem::take(&mut self.first) {
            return Ok(());
        }
        self.matcher.byte(b',')
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Matched {
        self.comma()?;
        value.serialize(&mut *self.matcher)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Matched {
        self.comma()?;
        self.matcher.string(key)?;
        self.matcher.byte(b':')?;
        value.serialize(&mut *self.matcher)
    }

    fn end(self) -> Matched {
        self.matcher.bytes(self.closing)
    }
}

/// serde's integer methods, each written as `integer` writes it.
macro_rules! integers {
    () => {
        integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_u128: u128);
    };
    ($($method:ident: $type:ty),*) => {$(
        fn $method(self, v: $type) -> Matched {
            self.integer(v)
        }
    )*};
}

impl<'m, 'a> ser::Serializer for &'m mut Matcher<'a> {
    type Ok = ();
    type Error = Differs;
    type SerializeSeq = Compound<'m, 'a>;
    type SerializeTuple = Compound<'m, 'a>;
    type SerializeTupleStruct = Compound<'m, 'a>;
    type SerializeTupleVariant = Compound<'m, 'a>;
    type SerializeMap = Compound<'m, 'a>;
    type SerializeStruct = Compound<'m, 'a>;
    type SerializeStructVariant = Compound<'m, 'a>;

    fn serialize_bool(self, v: bool) -> Matched {
        self.bytes(if v { b"true" } else { b"false" })
    }
    integers!();
    fn serialize_f32(self, v: f32) -> Matched {
        self.written(&v)
    }
    fn serialize_f64(self, v: f64) -> Matched {
        self.written(&v)
    }
    fn serialize_char(self, v: char) -> Matched {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Matched {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Matched {
        self.written(v)
    }
    fn serialize_none(self) -> Matched {
        self.bytes(b"null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Matched {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Matched {
        self.bytes(b"null")
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Matched {
        self.bytes(b"null")
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Matched {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Matched {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Matched {
        self.variant(variant)?;
        value.serialize(&mut *self)?;
        self.byte(b'}')
    }
    fn serialize_seq(self, _len: Option<usize>) -> Opened<'m, 'a> {
        self.open(b'[', b"]")
    }
    fn serialize_tuple(self, _len: usize) -> Opened<'m, 'a> {
        self.open(b'[', b"]")
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Opened<'m, 'a> {
        self.open(b'[', b"]")
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &str, _: usize) -> Opened<'m, 'a> {
        self.variant(variant)?;
        self.open(b'[', b"]}")
    }
    fn serialize_map(self, _len: Option<usize>) -> Opened<'m, 'a> {
        self.open(b'{', b"}")
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Opened<'m, 'a> {
        self.open(b'{', b"}")
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &str, _: usize) -> Opened<'m, 'a> {
        self.variant(variant)?;
        self.open(b'{', b"}}")
    }
}

/// serde's lists, tuples and structs, each as `Compound` does them: an item after a comma, and
/// the closing bytes.
macro_rules! compound {
    ($($trait:ident: $method:ident($($key:ident: $key_type:ty)?) => $item:ident;)*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Differs;
            fn $method<T: Serialize + ?Sized>(&mut self, $($key: $key_type,)? value: &T) -> Matched {
                self.$item($($key,)? value)
            }
            fn end(self) -> Matched {
                Compound::end(self)
            }
        }
    )*};
}

compound! {
    SerializeSeq: serialize_element() => element;
    SerializeTuple: serialize_element() => element;
    SerializeTupleStruct: serialize_field() => element;
    SerializeTupleVariant: serialize_field() => element;
    SerializeStruct: serialize_field(key: &'static str) => field;
    SerializeStructVariant: serialize_field(key: &'static str) => field;
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Differs;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Matched {
        self.comma()?;
        key.serialize(Key(&mut *self.matcher))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Matched {
        self.matcher.byte(b':')?;
        value.serialize(&mut *self.matcher)
    }
    fn end(self) -> Matched {
        Compound::end(self)
    }
}

/// A map's key, which JSON writes as a string: a string as it is, a number or a boolean quoted,
/// as serde_json writes them. A key of any other kind, which serde_json refuses or no state
/// holds, is taken as differing.
struct Key<'m, 'a>(&'m mut Matcher<'a>);

impl Key<'_, '_> {
    fn quoted(self, bytes: &[u8]) -> Matched {
        self.0.byte(b'"')?;
        self.0.bytes(bytes)?;
        self.0.byte(b'"')
    }

    fn integer<I: itoa::Integer>(self, i: I) -> Matched {
        self.quoted(itoa::Buffer::new().format(i).as_bytes())
    }
}

impl ser::Serializer for Key<'_, '_> {
    type Ok = ();
    type Error = Differs;
    type SerializeSeq = Impossible<(), Differs>;
    type SerializeTuple = Impossible<(), Differs>;
    type SerializeTupleStruct = Impossible<(), Differs>;
    type SerializeTupleVariant = Impossible<(), Differs>;
    type SerializeMap = Impossible<(), Differs>;
    type SerializeStruct = Impossible<(), Differs>;
    type SerializeStructVariant = Impossible<(), Differs>;

    fn serialize_bool(self, v: bool) -> Matched {
        self.quoted(if v { b"true" } else { b"false" })
    }
    integers!();
    fn serialize_f32(self, _v: f32) -> Matched {
        Err(Differs)
    }
    fn serialize_f64(self, _v: f64) -> Matched {
        Err(Differs)
    }
    fn serialize_char(self, v: char) -> Matched {
        self.0.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Matched {
        self.0.string(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Matched {
        Err(Differs)
    }
    fn serialize_none(self) -> Matched {
        Err(Differs)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Matched {
        Err(Differs)
    }
    fn serialize_unit(self) -> Matched {
        Err(Differs)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Matched {
        Err(Differs)
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Matched {
        self.0.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Matched {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Matched {
        Err(Differs)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Differs> {
        Err(Differs)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Differs> {
        Err(Differs)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Differs> {
        Err(Differs)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Differs> {
        Err(Differs)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Differs> {
        Err(Differs)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, Differs> {
        Err(Differs)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Differs> {
        Err(Differs)
    }
}

#[cfg(test)]
mod tests;
