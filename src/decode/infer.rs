//! Types for columns that arrive without them (AI for Database sends names only), inferred
//! from every value of the column and written as a ClickHouse type name, so decoding then
//! takes the same path as declared types.
//!
//! Rules (docs/types.md): only NULLs -> Nothing; booleans -> Bool; integers -> Int64, or
//! UInt64 when one exceeds Int64 and none is negative, or exact text beyond that; any float
//! among numbers -> Float64; strings, or a mix of kinds -> String (numbers and booleans as
//! their text); any array or object -> JSON text. Nullable wherever a NULL was seen.

use super::scanner::{Scanner, Value};

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    null: bool,
    boolean: bool,
    int: bool,
    /// An integer beyond Int64 but within UInt64.
    big_unsigned: bool,
    /// An integer beyond both.
    huge: bool,
    negative: bool,
    float: bool,
    string: bool,
    nested: bool,
    /// Most fractional digits seen in a number (for decimals).
    max_scale: usize,
    /// Most integer digits seen in a number.
    max_int_digits: usize,
}

impl Seen {
    fn add(&mut self, v: &Value) {
        match v {
            Value::Null => self.null = true,
            Value::Bool(_) => self.boolean = true,
            Value::Str(_) => self.string = true,
            Value::Nested(_) => self.nested = true,
            Value::Number(n) => self.add_number(n),
        }
    }

    fn add_number(&mut self, n: &str) {
        let digits = n.trim_start_matches('-');
        let (int_part, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let frac = frac.split(['e', 'E']).next().unwrap_or("");
        self.max_scale = self.max_scale.max(frac.len());
        self.max_int_digits = self
            .max_int_digits
            .max(int_part.trim_start_matches('0').len());
        if n.contains(['.', 'e', 'E']) {
            self.float = true;
            return;
        }
        self.negative |= n.starts_with('-');
        if n.parse::<i64>().is_ok() {
            self.int = true;
        } else if n.parse::<u64>().is_ok() {
            self.big_unsigned = true;
        } else {
            self.huge = true;
        }
    }

    fn type_name(&self) -> String {
        let numeric = self.int || self.big_unsigned || self.huge || self.float;
        let kinds = [self.boolean, numeric, self.string]
            .iter()
            .filter(|k| **k)
            .count();
        let base = if self.nested {
            return "JSON".into();
        } else if kinds == 0 {
            return "Nullable(Nothing)".into();
        } else if kinds > 1 || self.string {
            "String"
        } else if self.boolean {
            "Bool"
        } else if self.float {
            "Float64"
        } else if self.huge || (self.big_unsigned && self.negative) {
            "String"
        } else if self.big_unsigned {
            "UInt64"
        } else {
            "Int64"
        };
        if self.null {
            format!("Nullable({base})")
        } else {
            base.to_owned()
        }
    }
}

/// What all the values of one column of `rows_json` say about it.
pub struct ColumnFacts {
    /// A ClickHouse type name that holds every value.
    pub type_name: String,
    pub max_scale: usize,
    pub max_int_digits: usize,
}

/// Facts for `columns` columns of `rows_json` (a JSON array of row arrays). Malformed JSON
/// is left for the decoder to report with its row and column.
pub fn infer_columns(rows_json: &str, columns: usize) -> Vec<ColumnFacts> {
    let mut seen = vec![Seen::default(); columns];
    let mut sc = Scanner::new(rows_json);
    let _ = scan(&mut sc, &mut seen);
    seen.iter()
        .map(|s| ColumnFacts {
            type_name: s.type_name(),
            max_scale: s.max_scale,
            max_int_digits: s.max_int_digits,
        })
        .collect()
}

fn scan(sc: &mut Scanner, seen: &mut [Seen]) -> Result<(), String> {
    sc.expect(b'[', "[")?;
    if sc.eat(b']') {
        return Ok(());
    }
    loop {
        sc.expect(b'[', "[")?;
        let mut i = 0;
        if !sc.eat(b']') {
            loop {
                let v = sc.value()?;
                if let Some(s) = seen.get_mut(i) {
                    s.add(&v);
                }
                i += 1;
                if sc.eat(b']') {
                    break;
                }
                sc.expect(b',', ",")?;
            }
        }
        if sc.eat(b']') {
            return Ok(());
        }
        sc.expect(b',', ",")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(rows: &str, n: usize) -> Vec<String> {
        infer_columns(rows, n)
            .into_iter()
            .map(|f| f.type_name)
            .collect()
    }

    #[test]
    fn inference_rules() {
        let rows = r#"[[1, 1, null, true, "a", [1], 18446744073709551615, 1, null],
                       [2, 2.5, null, false, 3, {"x": 1}, 1, -1, 5],
                       [-3, 4, null, null, "b", "s", 2, 18446744073709551615, 6]]"#;
        assert_eq!(
            types(rows, 9),
            [
                "Int64",
                "Float64",
                "Nullable(Nothing)",
                "Nullable(Bool)",
                "String",
                "JSON",
                "UInt64",
                "String",
                "Nullable(Int64)"
            ]
        );
        assert_eq!(types("[]", 2), ["Nullable(Nothing)", "Nullable(Nothing)"]);
        let f = &infer_columns("[[1.25], [10.5], [3]]", 1)[0];
        assert_eq!((f.max_scale, f.max_int_digits), (2, 2));
    }
}
