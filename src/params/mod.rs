//! Parameters bound on the client. Roe's API takes SQL text only, so values are rendered as
//! ClickHouse literals into the SQL: `{name:Type}` (ClickHouse's own placeholder syntax,
//! the declared type checked and kept with a CAST) and DB-API's pyformat (`%(name)s`, `%s`;
//! the type follows the value). Every parameter given must be used and every placeholder
//! given a value; placeholders inside quotes and comments are text.

mod literal;
mod sql;

pub use literal::{quote, ParamValue};
use sql::{pieces, Piece, Style};

use crate::error::{Error, Result};
use crate::types::{column_spec, ColumnKind};

/// DB-API parameters: a mapping for `%(name)s`, a sequence for `%s`.
#[derive(Debug, Clone)]
pub enum Params {
    Named(Vec<(String, ParamValue)>),
    Positional(Vec<ParamValue>),
}

/// `sql` with each `{name:Type}` replaced by `CAST(<value> AS Type)`.
pub fn bind_typed(sql: &str, params: &[(String, ParamValue)]) -> Result<String> {
    let mut used = vec![false; params.len()];
    let mut out = String::with_capacity(sql.len());
    for piece in pieces(sql, Style::Typed).map_err(Error::Config)? {
        match piece {
            Piece::Typed { name, type_text } => {
                let i = params.iter().position(|(n, _)| n == name).ok_or_else(|| {
                    Error::Config(format!(
                        "the SQL has {{{name}:{type_text}}} but no parameter '{name}' is given"
                    ))
                })?;
                used[i] = true;
                let fail = |why: String| {
                    Error::Config(format!(
                        "parameter '{name}' ({{{name}:{type_text}}}): {why}"
                    ))
                };
                let spec = column_spec(name, type_text, "UTC");
                if spec.warning.is_some()
                    || matches!(
                        spec.kind,
                        ColumnKind::JsonText
                            | ColumnKind::Time { .. }
                            | ColumnKind::Interval { .. }
                    )
                {
                    return Err(fail(format!(
                        "{type_text} is not a type parameters support"
                    )));
                }
                let value = literal::typed(&params[i].1, &spec).map_err(fail)?;
                out.push_str(&format!("CAST({value} AS {type_text})"));
            }
            Piece::Text(t) => out.push_str(t),
            Piece::Named(_) | Piece::Positional => unreachable!("typed style only"),
        }
    }
    unused(params.iter().map(|(n, _)| n.as_str()), &used)?;
    Ok(out)
}

/// `sql` with `%(name)s` and `%s` replaced by literals of their values' own kinds, and
/// `%%` by `%`. With no parameters the SQL is sent as it is (DB-API's convention).
pub fn bind_pyformat(sql: &str, params: Option<&Params>) -> Result<String> {
    let Some(params) = params else {
        return Ok(sql.to_owned());
    };
    let mut out = String::with_capacity(sql.len());
    let mut next = 0;
    let mut used = vec![
        false;
        if let Params::Named(p) = params {
            p.len()
        } else {
            0
        }
    ];
    for piece in pieces(sql, Style::Pyformat).map_err(Error::Config)? {
        let (value, label) = match (piece, params) {
            (Piece::Text(t), _) => {
                out.push_str(t);
                continue;
            }
            (Piece::Named(name), Params::Named(p)) => {
                let i = p.iter().position(|(n, _)| n == name).ok_or_else(|| {
                    Error::Config(format!(
                        "the SQL has %({name})s but no parameter '{name}' is given"
                    ))
                })?;
                used[i] = true;
                (&p[i].1, format!("parameter '{name}'"))
            }
            (Piece::Positional, Params::Positional(p)) => {
                let v = p.get(next).ok_or_else(|| {
                    Error::Config(format!(
                        "the SQL has more than {} %s placeholders for {} parameters",
                        next,
                        p.len()
                    ))
                })?;
                next += 1;
                (v, format!("parameter {next}"))
            }
            (Piece::Named(_), Params::Positional(_)) => {
                return Err(Error::Config(
                    "the SQL uses %(name)s placeholders: pass the parameters as a mapping".into(),
                ))
            }
            _ => {
                return Err(Error::Config(
                    "the SQL uses %s placeholders: pass the parameters as a sequence".into(),
                ))
            }
        };
        out.push_str(
            &literal::natural(value).map_err(|why| Error::Config(format!("{label}: {why}")))?,
        );
    }
    match params {
        Params::Named(p) => unused(p.iter().map(|(n, _)| n.as_str()), &used)?,
        Params::Positional(p) if next != p.len() => {
            return Err(Error::Config(format!(
                "{} parameters for {next} %s placeholders",
                p.len()
            )))
        }
        Params::Positional(_) => {}
    }
    Ok(out)
}

fn unused<'a>(names: impl Iterator<Item = &'a str>, used: &[bool]) -> Result<()> {
    let unused: Vec<&str> = names
        .zip(used)
        .filter(|(_, u)| !**u)
        .map(|(n, _)| n)
        .collect();
    if unused.is_empty() {
        return Ok(());
    }
    Err(Error::Config(format!(
        "parameters given but not used in the SQL: {}",
        unused.join(", ")
    )))
}

#[cfg(test)]
mod tests;
