use super::*;
use ParamValue as V;

fn named(pairs: &[(&str, ParamValue)]) -> Vec<(String, ParamValue)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect()
}

fn int(n: &str) -> ParamValue {
    V::Int(n.into())
}

#[test]
fn typed_placeholders_become_casts_of_checked_literals() {
    let sql = "SELECT {d:Date} AS d, {n:Array(String)} AS n, '{d:Date}' AS text";
    let params = named(&[
        ("d", V::Date("2024-04-29".into())),
        (
            "n",
            V::List(vec![V::Str("a".into()), V::Str("o'brien\\".into())]),
        ),
    ]);
    assert_eq!(
        bind_typed(sql, &params).unwrap(),
        "SELECT CAST('2024-04-29' AS Date) AS d, CAST(['a', 'o\\'brien\\\\'] AS Array(String)) \
         AS n, '{d:Date}' AS text"
    );
}

#[test]
fn values_that_do_not_fit_name_the_parameter() {
    let cases: Vec<(&str, ParamValue, &str)> = vec![
        ("UInt8", int("300"), "out of range"),
        ("Int8", int("-129"), "out of range"),
        ("UInt256", int("-1"), "out of range"),
        ("Int32", V::Null, "not Nullable"),
        ("Decimal(9, 2)", V::Decimal("1.234".into()), "does not fit"),
        ("Decimal(9, 2)", V::Float(0.125), "does not fit"),
        (
            "DateTime('UTC')",
            V::DateTime {
                text: "2024-01-01 00:00:00".into(),
                aware: false,
            },
            "naive",
        ),
        (
            "DateTime",
            V::DateTime {
                text: "2024-01-01 00:00:00.5".into(),
                aware: true,
            },
            "fractional",
        ),
        ("Date", V::Date("2150-01-01".into()), "range"),
        ("FixedString(2)", V::Str("abc".into()), "do not fit"),
        ("UUID", V::Str("nope".into()), "not a UUID"),
        ("Enum8('a' = 1)", V::Str("b".into()), "not a label"),
        (
            "Tuple(UInt8, String)",
            V::Tuple(vec![int("1")]),
            "declares 2",
        ),
        ("Bool", int("1"), "does not fit"),
        ("JSON", V::Str("{}".into()), "not a type parameters support"),
        (
            "Mystery",
            V::Str("x".into()),
            "not a type parameters support",
        ),
    ];
    for (t, v, why) in cases {
        let sql = format!("SELECT {{p:{t}}}");
        let e = bind_typed(&sql, &named(&[("p", v.clone())]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("parameter 'p'") && e.contains(why),
            "{t} {v:?}: {e}"
        );
    }
}

#[test]
fn every_type_family_renders() {
    let ok: Vec<(&str, ParamValue, &str)> = vec![
        (
            "Int128",
            int("-170141183460469231731687303715884105728"),
            "'-170141183460469231731687303715884105728'",
        ),
        (
            "UInt64",
            int("18446744073709551615"),
            "18446744073709551615",
        ),
        ("Float64", V::Float(f64::NAN), "nan"),
        ("Float32", int("16777216"), "16777216.0"),
        ("Decimal(76, 40)", V::Decimal("1E-40".into()), "'1E-40'"),
        ("Decimal(9, 2)", V::Float(0.1), "'0.1'"),
        ("Nullable(String)", V::Null, "NULL"),
        ("String", V::Bytes(vec![0xff, b'\'', 0]), "'\\xFF\\'\\x00'"),
        (
            "DateTime64(3, 'Asia/Tokyo')",
            V::DateTime {
                text: "2024-01-01 00:00:00.123".into(),
                aware: true,
            },
            "toDateTime64('2024-01-01 00:00:00.123', 9, 'UTC')",
        ),
        (
            "Map(String, Array(UInt8))",
            V::Map(vec![(V::Str("k".into()), V::List(vec![int("1")]))]),
            "map('k', [1])",
        ),
        (
            "Tuple(a UInt8, `b c` String)",
            V::Map(vec![
                (V::Str("b c".into()), V::Str("x".into())),
                (V::Str("a".into()), int("1")),
            ]),
            "tuple(1, 'x')",
        ),
        ("IPv6", V::Ip("::1".into()), "'::1'"),
        (
            "LowCardinality(Nullable(String))",
            V::Str("x".into()),
            "'x'",
        ),
    ];
    for (t, v, want) in ok {
        let got = bind_typed(&format!("{{p:{t}}}"), &named(&[("p", v)])).unwrap();
        assert_eq!(got, format!("CAST({want} AS {t})"));
    }
}

#[test]
fn missing_and_unused_parameters_are_errors() {
    let e = bind_typed("SELECT {a:UInt8}", &[]).unwrap_err().to_string();
    assert!(e.contains("no parameter 'a'"), "{e}");
    let e = bind_typed("SELECT 1", &named(&[("a", int("1"))]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not used") && e.contains('a'), "{e}");
    let p = Params::Named(named(&[("x", int("1")), ("y", int("2"))]));
    assert!(bind_pyformat("SELECT %(x)s", Some(&p)).is_err());
    let p = Params::Positional(vec![int("1")]);
    assert!(bind_pyformat("SELECT %s, %s", Some(&p)).is_err());
    assert!(bind_pyformat("SELECT 1", Some(&p)).is_err());
}

#[test]
fn pyformat_renders_each_value_as_its_own_kind() {
    let p = Params::Named(named(&[
        ("n", int("42")),
        ("big", int("-170141183460469231731687303715884105728")),
        ("d", V::Decimal("-1.50".into())),
        ("s", V::Str("x' OR 1=1 --".into())),
        ("t", V::Tuple(vec![int("1"), int("2")])),
        ("u", V::Uuid("123e4567-e89b-12d3-a456-426614174000".into())),
        (
            "when",
            V::DateTime {
                text: "2024-04-29 21:11:17.5".into(),
                aware: true,
            },
        ),
    ]));
    let sql = "SELECT %(n)s, %(big)s, %(d)s, %(s)s, x IN %(t)s, %(u)s, %(when)s, '100%', 5 %% 2";
    assert_eq!(
        bind_pyformat(sql, Some(&p)).unwrap(),
        "SELECT 42, toInt256('-170141183460469231731687303715884105728'), toDecimal128('-1.50', 2), \
         'x\\' OR 1=1 --', x IN (1, 2), toUUID('123e4567-e89b-12d3-a456-426614174000'), \
         toDateTime64('2024-04-29 21:11:17.5', 9, 'UTC'), '100%', 5 % 2"
    );
    assert_eq!(bind_pyformat("SELECT '%", None).unwrap(), "SELECT '%");
    let naive = Params::Positional(vec![V::DateTime {
        text: "2024-01-01 00:00:00".into(),
        aware: false,
    }]);
    assert!(bind_pyformat("SELECT %s", Some(&naive))
        .unwrap_err()
        .to_string()
        .contains("naive"));
}

#[test]
fn quoting_escapes_every_special_byte() {
    assert_eq!(
        quote(b"a'b\\c\n\0\x7f\xe2\x82\xac"),
        "'a\\'b\\\\c\\x0A\\x00\\x7F\u{20ac}'"
    );
}

proptest::proptest! {
    /// Whatever the string, its literal holds no bare quote or backslash: nothing escapes it.
    #[test]
    fn any_string_stays_inside_its_quotes(s in "\\PC*|[\\\\'\"{}%\\-/*#\\n\\x00]{0,20}") {
        let q = quote(s.as_bytes());
        let inner = &q[1..q.len() - 1];
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => { chars.next(); }
                '\'' => proptest::prop_assert!(false, "bare quote in {q}"),
                _ => {}
            }
        }
    }
}
