//! Builders for nested values: Array -> list, Map -> map, Tuple/Nested -> struct.
//!
//! A nested value reaches a builder as raw JSON text (or, from backends that stringify
//! every value, as a string holding that text) and is read with its own scanner, so the
//! children are ordinary builders and nesting goes as deep as the type does.

use std::sync::Arc;

use arrow_array::builder::BooleanBufferBuilder;
use arrow_array::{ArrayRef, MapArray, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{FieldRef, Fields};

use super::builders::{builder_for, null_into, ColumnBuilder};
use super::scanner::{Scanner, Value};
use super::text_form;
use super::values::Reason;
use crate::types::{map_entries, ColumnKind, ColumnSpec};

/// The JSON text of a nested value, whether sent as JSON or as a string holding JSON.
fn nested_text<'v>(v: &'v Value, what: &str) -> Result<&'v str, Reason> {
    match v {
        Value::Nested(raw) => Ok(raw),
        Value::Str(s) => Ok(s.as_ref()),
        _ => Err(format!("not {what}")),
    }
}

/// Validity bits plus "was anything null", so all-valid arrays carry no null buffer.
struct Validity {
    bits: BooleanBufferBuilder,
    any_null: bool,
}

impl Validity {
    fn new() -> Self {
        Validity {
            bits: BooleanBufferBuilder::new(0),
            any_null: false,
        }
    }

    fn push(&mut self, valid: bool) {
        self.bits.append(valid);
        self.any_null |= !valid;
    }

    fn finish(&mut self) -> Option<NullBuffer> {
        let bits = self.bits.finish();
        std::mem::take(&mut self.any_null).then(|| NullBuffer::new(bits))
    }
}

/// i32 offsets, as Arrow's default list and map types use.
struct Offsets(Vec<i32>);

impl Offsets {
    fn new() -> Self {
        Offsets(vec![0])
    }

    fn last(&self) -> i32 {
        *self.0.last().expect("offsets start with 0")
    }

    fn push_len(&mut self, len: usize) -> Result<(), Reason> {
        let next = i32::try_from(len)
            .ok()
            .and_then(|l| self.last().checked_add(l))
            .ok_or("more than 2^31 nested values in one batch")?;
        self.0.push(next);
        Ok(())
    }

    fn finish(&mut self) -> OffsetBuffer<i32> {
        let done = std::mem::replace(&mut self.0, vec![0]);
        OffsetBuffer::new(ScalarBuffer::from(done))
    }
}

/// Reads a JSON array from `text`, handing each element to `each` with its index.
fn for_each_element(
    text: &str,
    mut each: impl FnMut(usize, &Value) -> Result<(), Reason>,
) -> Result<usize, Reason> {
    let mut sc = Scanner::new(text);
    sc.expect(b'[', "an array")?;
    let mut n = 0;
    if !sc.eat(b']') {
        loop {
            let item = sc.value()?;
            each(n, &item)?;
            n += 1;
            if sc.eat(b']') {
                break;
            }
            sc.expect(b',', "',' or ']' in an array")?;
        }
    }
    if !sc.at_end() {
        return Err("unexpected text after an array".into());
    }
    Ok(n)
}

pub struct ListColumn {
    item: FieldRef,
    child: Box<dyn ColumnBuilder>,
    offsets: Offsets,
    validity: Validity,
    nullable: bool,
}

impl ListColumn {
    pub fn new(item: &ColumnSpec, nullable: bool, capacity: usize) -> Self {
        ListColumn {
            item: Arc::new(item.field()),
            child: builder_for(item, capacity),
            offsets: Offsets::new(),
            validity: Validity::new(),
            nullable,
        }
    }
}

impl ColumnBuilder for ListColumn {
    fn push(&mut self, v: &Value) -> Result<(), Reason> {
        if let Value::Null = v {
            null_into(self.nullable, || ())?;
            self.validity.push(false);
            return self.offsets.push_len(0);
        }
        let child = &mut self.child;
        let n = for_each_element(nested_text(v, "an array")?, |i, item| {
            child.push(item).map_err(|r| format!("element {i}: {r}"))
        })?;
        self.validity.push(true);
        self.offsets.push_len(n)
    }

    fn finish(&mut self) -> ArrayRef {
        Arc::new(arrow_array::ListArray::new(
            self.item.clone(),
            self.offsets.finish(),
            self.child.finish(),
            self.validity.finish(),
        ))
    }

    fn append_null(&mut self) {
        self.validity.push(false);
        // An empty list cannot overflow the offsets.
        let _ = self.offsets.push_len(0);
    }
}

pub struct MapColumn {
    entries: FieldRef,
    keys: Box<dyn ColumnBuilder>,
    values: Box<dyn ColumnBuilder>,
    offsets: Offsets,
    validity: Validity,
    nullable: bool,
    /// Keys are Arrays or Tuples, which JSON output writes in ClickHouse's text form.
    text_form_keys: bool,
}

impl MapColumn {
    pub fn new(key: &ColumnSpec, value: &ColumnSpec, nullable: bool, capacity: usize) -> Self {
        MapColumn {
            entries: Arc::new(map_entries(key, value)),
            keys: builder_for(key, capacity),
            values: builder_for(value, capacity),
            offsets: Offsets::new(),
            validity: Validity::new(),
            nullable,
            text_form_keys: matches!(
                key.kind,
                ColumnKind::List(_) | ColumnKind::Struct(_) | ColumnKind::Map(..)
            ),
        }
    }

    fn push_key(&mut self, key: &Value) -> Result<(), Reason> {
        match key {
            Value::Str(text) if self.text_form_keys => {
                let json = text_form::to_json(text)
                    .ok_or_else(|| format!("key {}: not a value", key.excerpt()))?;
                self.keys.push(&Value::Nested(&json))
            }
            _ => self.keys.push(key),
        }
        .map_err(|r| format!("key {}: {r}", key.excerpt()))
    }
}

impl ColumnBuilder for MapColumn {
    fn push(&mut self, v: &Value) -> Result<(), Reason> {
        if let Value::Null = v {
            null_into(self.nullable, || ())?;
            self.validity.push(false);
            return self.offsets.push_len(0);
        }
        let text = nested_text(v, "a map")?;
        let n = if text.trim_start().starts_with('[') {
            // Some backends send maps as lists of [key, value] pairs.
            let (keys, values) = (&mut self.keys, &mut self.values);
            for_each_element(text, |i, pair| {
                let got =
                    for_each_element(nested_text(pair, "a [key, value] pair")?, |j, x| match j {
                        0 => keys.push(x).map_err(|r| format!("key of entry {i}: {r}")),
                        1 => values
                            .push(x)
                            .map_err(|r| format!("value of entry {i}: {r}")),
                        _ => Err(format!("entry {i}: not a [key, value] pair")),
                    })?;
                if got != 2 {
                    return Err(format!("entry {i}: not a [key, value] pair"));
                }
                Ok(())
            })?
        } else {
            let mut sc = Scanner::new(text);
            sc.expect(b'{', "a map")?;
            let mut n = 0;
            if !sc.eat(b'}') {
                loop {
                    let key = sc.value()?;
                    if !matches!(key, Value::Str(_)) {
                        return Err("a map key that is not a string".into());
                    }
                    sc.expect(b':', "':' after a map key")?;
                    let val = sc.value()?;
                    self.push_key(&key)?;
                    self.values
                        .push(&val)
                        .map_err(|r| format!("value of key {}: {r}", key.excerpt()))?;
                    n += 1;
                    if sc.eat(b'}') {
                        break;
                    }
                    sc.expect(b',', "',' or '}' in a map")?;
                }
            }
            n
        };
        self.validity.push(true);
        self.offsets.push_len(n)
    }

    fn finish(&mut self) -> ArrayRef {
        let arrow_schema::DataType::Struct(fields) = self.entries.data_type() else {
            unreachable!("map entries are a struct")
        };
        let entries = StructArray::new(
            fields.clone(),
            vec![self.keys.finish(), self.values.finish()],
            None,
        );
        Arc::new(MapArray::new(
            self.entries.clone(),
            self.offsets.finish(),
            entries,
            self.validity.finish(),
            false,
        ))
    }

    fn append_null(&mut self) {
        self.validity.push(false);
        let _ = self.offsets.push_len(0);
    }
}

pub struct StructColumn {
    fields: Fields,
    children: Vec<Box<dyn ColumnBuilder>>,
    validity: Validity,
    nullable: bool,
}

impl StructColumn {
    pub fn new(fields: &[ColumnSpec], nullable: bool, capacity: usize) -> Self {
        StructColumn {
            fields: fields.iter().map(|f| f.field()).collect(),
            children: fields.iter().map(|f| builder_for(f, capacity)).collect(),
            validity: Validity::new(),
            nullable,
        }
    }
}

impl ColumnBuilder for StructColumn {
    fn push(&mut self, v: &Value) -> Result<(), Reason> {
        if let Value::Null = v {
            null_into(self.nullable, || ())?;
            self.append_null();
            return Ok(());
        }
        self.push_tuple(v)?;
        self.validity.push(true);
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        let arrays = self.children.iter_mut().map(|c| c.finish()).collect();
        Arc::new(StructArray::new(
            self.fields.clone(),
            arrays,
            self.validity.finish(),
        ))
    }

    /// A NULL tuple: every element gets a slot its validity masks.
    fn append_null(&mut self) {
        self.validity.push(false);
        for child in &mut self.children {
            child.append_null();
        }
    }
}

impl StructColumn {
    /// The elements of a tuple, as an array (in order) or an object (by name).
    fn push_tuple(&mut self, v: &Value) -> Result<(), Reason> {
        let text = nested_text(v, "a tuple")?;
        let n = self.children.len();
        if text.trim_start().starts_with('[') {
            let (children, fields) = (&mut self.children, &self.fields);
            let got = for_each_element(text, |i, x| {
                let child = children
                    .get_mut(i)
                    .ok_or_else(|| format!("a tuple with more than {n} elements"))?;
                child
                    .push(x)
                    .map_err(|r| format!("element '{}': {r}", fields[i].name()))
            })?;
            if got != n {
                return Err(format!(
                    "a tuple with {got} elements where {n} are declared"
                ));
            }
            return Ok(());
        }
        // Named tuples as objects: elements may come in any order.
        let mut sc = Scanner::new(text);
        sc.expect(b'{', "a tuple")?;
        let mut slots: Vec<Option<Value>> = vec![None; n];
        if !sc.eat(b'}') {
            loop {
                let Value::Str(name) = sc.value()? else {
                    return Err("a tuple key that is not a string".into());
                };
                sc.expect(b':', "':' after a tuple element name")?;
                let i = self
                    .fields
                    .iter()
                    .position(|f| f.name() == name.as_ref())
                    .ok_or_else(|| format!("a tuple element '{name}' that is not declared"))?;
                slots[i] = Some(sc.value()?);
                if sc.eat(b'}') {
                    break;
                }
                sc.expect(b',', "',' or '}' in a tuple")?;
            }
        }
        for ((slot, child), field) in slots.iter().zip(&mut self.children).zip(&self.fields) {
            child
                .push(slot.as_ref().unwrap_or(&Value::Null))
                .map_err(|r| format!("element '{}': {r}", field.name()))?;
        }
        Ok(())
    }
}
