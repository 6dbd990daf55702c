//! A primitive column's values and validity as a plain `Vec` and a null bitmap.
//!
//! Why not arrow's `PrimitiveBuilder`: its `append_value` is an out-of-line call per value
//! (about 33 instructions each, callgrind), while `Vec::push` inlines into the row loop.
//! `finish` hands the `Vec` to Arrow without copying.

use arrow_array::{ArrowPrimitiveType, PrimitiveArray};
use arrow_buffer::NullBufferBuilder;
use arrow_schema::{ArrowError, DataType};

pub(super) struct PrimitiveValues<T: ArrowPrimitiveType> {
    values: Vec<T::Native>,
    nulls: NullBufferBuilder,
    data_type: DataType,
    capacity: usize,
}

impl<T: ArrowPrimitiveType> PrimitiveValues<T> {
    pub fn with_capacity(capacity: usize) -> Self {
        PrimitiveValues {
            values: Vec::with_capacity(capacity),
            nulls: NullBufferBuilder::new(capacity),
            data_type: T::DATA_TYPE,
            capacity,
        }
    }

    /// For parameterised types (time zones); `T` must accept it, as in `PrimitiveArray`.
    pub fn with_data_type(mut self, data_type: DataType) -> Self {
        self.data_type = data_type;
        self
    }

    #[inline(always)]
    pub fn append_value(&mut self, v: T::Native) {
        self.reserve_for_one();
        self.values.push(v);
        self.nulls.append_non_null();
    }

    pub fn append_null(&mut self) {
        self.reserve_for_one();
        self.values.push(T::Native::default());
        self.nulls.append_null();
    }

    /// After `finish` the builder holds no memory until the next value (most builders are
    /// finished once, at the end of their chunk); then it takes the whole capacity at once.
    #[inline(always)]
    fn reserve_for_one(&mut self) {
        if self.values.len() == self.values.capacity() {
            self.values.reserve(self.capacity.max(self.values.len()));
        }
    }

    /// The values so far as an array; the builder starts again, empty.
    pub fn finish(&mut self) -> PrimitiveArray<T> {
        let values = std::mem::take(&mut self.values);
        PrimitiveArray::<T>::new(values.into(), self.nulls.finish())
            .with_data_type(self.data_type.clone())
    }
}

impl<T: arrow_array::types::DecimalType> PrimitiveValues<T> {
    pub fn with_precision_and_scale(self, precision: u8, scale: i8) -> Result<Self, ArrowError> {
        arrow_array::types::validate_decimal_precision_and_scale::<T>(precision, scale)?;
        Ok(self.with_data_type(T::TYPE_CONSTRUCTOR(precision, scale)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::types::{Decimal128Type, Int32Type};
    use arrow_array::Array;

    #[test]
    fn values_and_nulls_survive_finish_and_the_builder_starts_again() {
        let mut b = PrimitiveValues::<Int32Type>::with_capacity(2);
        b.append_value(7);
        b.append_null();
        b.append_value(-1);
        let a = b.finish();
        assert_eq!(a.len(), 3);
        assert_eq!((a.value(0), a.is_null(1), a.value(2)), (7, true, -1));
        b.append_value(5);
        let a = b.finish();
        assert_eq!((a.len(), a.null_count(), a.value(0)), (1, 0, 5));
    }

    #[test]
    fn decimals_keep_precision_and_scale() {
        let mut b = PrimitiveValues::<Decimal128Type>::with_capacity(1)
            .with_precision_and_scale(18, 2)
            .unwrap();
        b.append_value(12345);
        assert_eq!(b.finish().data_type(), &DataType::Decimal128(18, 2));
        assert!(PrimitiveValues::<Decimal128Type>::with_capacity(1)
            .with_precision_and_scale(40, 2)
            .is_err());
    }
}
