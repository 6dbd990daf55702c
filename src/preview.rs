//! A result at a glance: a text table for `repr()` and an HTML table for notebooks. Like
//! polars and pyarrow, they show the shape, each column's name and type, and the first and
//! last rows, eliding the middle of long and wide results; NULL is told apart from the text
//! "None", and long values are shortened.

use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};

use crate::result::QueryResult;

/// Rows shown at each end of a long result.
const EDGE_ROWS: usize = 5;
/// A value is cut to this many characters.
const MAX_VALUE_CHARS: usize = 24;
/// The text table's width.
const TEXT_WIDTH: usize = 100;
/// Columns shown at each end of a wide result, in HTML.
const HTML_EDGE_COLUMNS: usize = 10;

/// One cell: its text, or NULL.
type Cell = Option<String>;

/// The rows to show, with `None` where rows are elided.
fn shown_rows(r: &QueryResult) -> Vec<Option<Vec<Cell>>> {
    let total = r.num_rows();
    let wanted: Vec<usize> = if total <= 2 * EDGE_ROWS {
        (0..total).collect()
    } else {
        (0..EDGE_ROWS).chain(total - EDGE_ROWS..total).collect()
    };
    let mut out = Vec::new();
    for (i, &row) in wanted.iter().enumerate() {
        if i > 0 && row != wanted[i - 1] + 1 {
            out.push(None);
        }
        out.push(Some(row_cells(&r.batches, row)));
    }
    out
}

/// The cells of row `row` (counted across batches).
fn row_cells(batches: &[RecordBatch], mut row: usize) -> Vec<Cell> {
    // Wall time in the column's zone (its type names the zone), without the offset.
    let opts = FormatOptions::default()
        .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S%.f"))
        .with_timestamp_tz_format(Some("%Y-%m-%d %H:%M:%S%.f"));
    for b in batches {
        if row < b.num_rows() {
            return b
                .columns()
                .iter()
                .map(|c| {
                    if c.is_null(row) {
                        return None;
                    }
                    Some(
                        ArrayFormatter::try_new(c.as_ref(), &opts)
                            .map(|f| f.value(row).to_string())
                            .unwrap_or_else(|_| "?".into()),
                    )
                })
                .collect();
        }
        row -= b.num_rows();
    }
    Vec::new()
}

fn shorten(s: &str, max: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        let mut cut: String = head.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        head
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "3 rows × 4 columns".
pub fn shape(r: &QueryResult) -> String {
    format!(
        "{} × {}",
        plural(r.num_rows(), "row", "rows"),
        plural(r.column_names.len(), "column", "columns")
    )
}

/// The text table `repr()` shows, at most `TEXT_WIDTH` characters wide.
pub fn text(r: &QueryResult) -> String {
    let mut out = format!("QueryResult: {}", shape(r));
    if let Some(id) = &r.query_id {
        out.push_str(&format!(", query id {id}"));
    }
    if r.column_names.is_empty() {
        return out;
    }
    let rows = shown_rows(r);
    let cell = |c: &Cell| shorten(c.as_deref().unwrap_or("null"), MAX_VALUE_CHARS);
    // Each column's width: its name, its type and its shown values.
    let widths: Vec<usize> = (0..r.column_names.len())
        .map(|i| {
            let values = rows
                .iter()
                .flatten()
                .map(|row| cell(&row[i]).chars().count());
            let header = [
                shorten(&r.column_names[i], MAX_VALUE_CHARS).chars().count(),
                shorten(&r.column_types[i], MAX_VALUE_CHARS).chars().count(),
            ];
            values.chain(header).max().unwrap_or(1)
        })
        .collect();
    let columns = fitting(&widths, TEXT_WIDTH);
    let line = |parts: Vec<String>| format!("\n{}", parts.join(" │ ").trim_end());
    let render = |f: &dyn Fn(usize) -> String| {
        columns
            .iter()
            .map(|c| match c {
                Some(i) => format!("{:<w$}", f(*i), w = widths[*i]),
                None => "…".into(),
            })
            .collect::<Vec<_>>()
    };
    out.push_str(&line(render(&|i| {
        shorten(&r.column_names[i], MAX_VALUE_CHARS)
    })));
    out.push_str(&line(render(&|i| {
        shorten(&r.column_types[i], MAX_VALUE_CHARS)
    })));
    let rule: usize = columns
        .iter()
        .map(|c| c.map_or(1, |i| widths[i]) + 3)
        .sum::<usize>()
        .saturating_sub(3);
    out.push_str(&format!("\n{}", "─".repeat(rule)));
    for row in &rows {
        match row {
            Some(cells) => out.push_str(&line(render(&|i| cell(&cells[i])))),
            None => out.push_str(&line(render(&|_| "…".into()))),
        }
    }
    out
}

/// Which columns fit `width` (None: the elided middle), as many from both ends as fit.
fn fitting(widths: &[usize], width: usize) -> Vec<Option<usize>> {
    let total: usize = widths.iter().map(|w| w + 3).sum();
    if total <= width + 3 {
        return (0..widths.len()).map(Some).collect();
    }
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let mut used = 4; // the "…" column and its separator
    let (mut lo, mut hi) = (0, widths.len());
    while lo < hi {
        let take_left = left.len() <= right.len();
        let i = if take_left { lo } else { hi - 1 };
        if used + widths[i] + 3 > width {
            break;
        }
        used += widths[i] + 3;
        if take_left {
            left.push(Some(i));
            lo += 1;
        } else {
            right.push(Some(i));
            hi -= 1;
        }
    }
    right.reverse();
    left.into_iter().chain([None]).chain(right).collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "<style>\
.sqlquarry-result{border-collapse:collapse;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}\
.sqlquarry-result th,.sqlquarry-result td{border:1px solid #d0d7de;padding:2px 8px;text-align:left;white-space:nowrap;max-width:24em;overflow:hidden;text-overflow:ellipsis}\
.sqlquarry-result thead tr:first-child th{background:#f6f8fa}\
.sqlquarry-result thead tr.types th{font-weight:normal;color:#57606a;font-size:11px;background:#f6f8fa}\
.sqlquarry-result td.null{color:#8c959f;font-style:italic}\
.sqlquarry-result td.gap,.sqlquarry-result th.gap{color:#8c959f;text-align:center}\
.sqlquarry-shape{font-family:sans-serif;font-size:12px;color:#57606a;margin:4px 0}\
</style>";

/// The HTML table notebooks show.
pub fn html(r: &QueryResult) -> String {
    let n = r.column_names.len();
    let columns: Vec<Option<usize>> = if n <= 2 * HTML_EDGE_COLUMNS {
        (0..n).map(Some).collect()
    } else {
        (0..HTML_EDGE_COLUMNS)
            .map(Some)
            .chain([None])
            .chain((n - HTML_EDGE_COLUMNS..n).map(Some))
            .collect()
    };
    let mut h = String::from(STYLE);
    h.push_str("<table class=\"sqlquarry-result\"><thead><tr>");
    let header = |h: &mut String, f: &dyn Fn(usize) -> String| {
        for c in &columns {
            match c {
                Some(i) => h.push_str(&format!("<th>{}</th>", f(*i))),
                None => h.push_str("<th class=\"gap\">…</th>"),
            }
        }
    };
    header(&mut h, &|i| escape(&r.column_names[i]));
    h.push_str("</tr><tr class=\"types\">");
    header(&mut h, &|i| escape(&shorten(&r.column_types[i], 40)));
    h.push_str("</tr></thead><tbody>");
    for row in shown_rows(r) {
        h.push_str("<tr>");
        for c in &columns {
            let cell = match (c, &row) {
                (None, _) | (_, None) => "<td class=\"gap\">…</td>".to_owned(),
                (Some(i), Some(cells)) => match &cells[*i] {
                    None => "<td class=\"null\">NULL</td>".to_owned(),
                    Some(v) => {
                        let short = shorten(v, 48);
                        if short == *v {
                            format!("<td>{}</td>", escape(v))
                        } else {
                            let title = shorten(v, 1000);
                            format!("<td title=\"{}\">{}</td>", escape(&title), escape(&short))
                        }
                    }
                },
            };
            h.push_str(&cell);
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    let mut caption = shape(r);
    if let Some(id) = &r.query_id {
        caption.push_str(&format!(" · query id {}", escape(id)));
    }
    h.push_str(&format!("<p class=\"sqlquarry-shape\">{caption}</p>"));
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::roe::decode_run_body;

    fn result(columns: usize, rows: usize) -> QueryResult {
        let names: Vec<String> = (0..columns).map(|i| format!("\"column_{i}\"")).collect();
        let types: Vec<String> = (0..columns)
            .map(|_| "\"Nullable(String)\"".into())
            .collect();
        let row = |r: usize| {
            let cells: Vec<String> = (0..columns)
                .map(|c| {
                    if (r + c) % 7 == 3 {
                        "null".into()
                    } else {
                        format!("\"v{r}.{c}\"")
                    }
                })
                .collect();
            format!("[{}]", cells.join(","))
        };
        let rows: Vec<String> = (0..rows).map(row).collect();
        let body = format!(
            r#"[{{"column_names": [{}], "column_types": [{}], "result_rows": [{}]}}]"#,
            names.join(","),
            types.join(","),
            rows.join(",")
        );
        decode_run_body(body.clone().into_bytes(), "UTC")
            .unwrap()
            .remove(0)
    }

    #[test]
    fn text_fits_the_terminal_and_elides_the_middle() {
        let t = text(&result(60, 1000));
        assert!(t.starts_with("QueryResult: 1,000 rows × 60 columns"));
        assert!(t.lines().all(|l| l.chars().count() <= TEXT_WIDTH), "{t}");
        assert!(t.contains("column_0") && t.contains("column_59") && t.contains('…'));
        assert!(t.contains("v999.59") && t.contains("null"));
        assert_eq!(t.lines().count(), 1 + 3 + 2 * EDGE_ROWS + 1);
        let one = text(&result(1, 1));
        assert!(one.starts_with("QueryResult: 1 row × 1 column"), "{one}");
    }

    #[test]
    fn html_marks_nulls_shortens_and_elides() {
        let h = html(&result(60, 20));
        assert!(h.contains("<td class=\"null\">NULL</td>"));
        assert_eq!(h.matches("<th class=\"gap\">").count(), 2);
        assert!(h.contains("20 rows × 60 columns"));
        assert!(html(&result(1, 1)).contains("1 row × 1 column"));
    }
}
