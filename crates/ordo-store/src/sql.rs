//! Multi-row statements: a page of orders is written in a handful of statements, not one per row.
//! The same SQL runs on SQLite and PostgreSQL (`WITH v(...) AS (VALUES ...) UPDATE ... FROM v`).

use crate::Result;
use crate::db::db;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// A value bound into a multi-row statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::OptInt(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::OptText(v)
    }
}

/// Bound parameters per statement, under SQLite's limit of 32,766.
const MAX_PARAMS: usize = 30_000;

type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

fn bind_one<'q>(q: Query<'q>, v: &'q Val) -> Query<'q> {
    match v {
        Val::Int(i) => q.bind(*i),
        Val::OptInt(i) => q.bind(*i),
        Val::Text(s) => q.bind(s.as_str()),
        Val::OptText(s) => q.bind(s.as_deref()),
    }
}

fn bind<'q>(mut q: Query<'q>, row: &'q [Val]) -> Query<'q> {
    for v in row {
        q = bind_one(q, v);
    }
    q
}

fn placeholders(rows: usize, cols: usize) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(rows * cols * 7);
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "${}", r * cols + c + 1);
        }
        s.push(')');
    }
    s
}

/// `INSERT INTO table (columns) VALUES …` for all rows, in as few statements as the parameter
/// limit allows. With `returning`, the returned rows of all statements, in order.
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
    suffix: &str,
) -> Result<Vec<AnyRow>> {
    let mut out = Vec::new();
    if rows.is_empty() {
        return Ok(out);
    }
    let per = (MAX_PARAMS / columns.len()).max(1);
    for chunk in rows.chunks(per) {
        let sql =
            format!("INSERT INTO {table} ({}) VALUES {} {suffix}", columns.join(", "), placeholders(chunk.len(), columns.len()));
        let sql = positional(tx, sql);
        let mut q = sqlx::query(&sql);
        for row in chunk {
            q = bind(q, row);
        }
        if suffix.contains("RETURNING") {
            out.extend(q.fetch_all(&mut **tx).await.map_err(db)?);
        } else {
            q.execute(&mut **tx).await.map_err(db)?;
        }
    }
    Ok(out)
}

/// Writes whose answers nobody reads, held until [`Writes::flush`] sends them in order. On SQLite
/// they go in one call (statements joined by `;`): every call is a hand-off to the connection's
/// thread, which costs more than a small statement itself. Reads do not see held writes, so a
/// caller flushes before it reads what they change, and always before commit.
#[derive(Default)]
pub(crate) struct Writes {
    statements: Vec<(String, Vec<Val>)>,
}

impl Writes {
    /// A statement with `$1…$n` parameters, each used once and in order.
    pub(crate) fn push(&mut self, sql: String, args: Vec<Val>) {
        self.statements.push((sql, args));
    }

    /// `INSERT INTO table (columns) VALUES …` for all rows, in as many statements as the parameter
    /// limit needs.
    pub(crate) fn insert(&mut self, table: &str, columns: &[&str], rows: Vec<Vec<Val>>, suffix: &str) {
        let per = (MAX_PARAMS / columns.len()).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Val>> = rows.by_ref().take(per).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES {} {suffix}",
                columns.join(", "),
                placeholders(chunk.len(), columns.len())
            );
            self.push(sql, chunk.into_iter().flatten().collect());
        }
    }

    /// Sets `columns` of the rows of `table` whose `id` is each row's first value:
    /// `rows[i] = [id, value of columns[0], …]`.
    pub(crate) fn update_by_id(&mut self, table: &str, columns: &[&str], rows: Vec<Vec<Val>>) {
        let width = columns.len() + 1;
        let per = (MAX_PARAMS / width).max(1);
        let names: Vec<String> = columns.iter().map(|c| format!("v_{c}")).collect();
        let sets: Vec<String> = columns.iter().zip(&names).map(|(c, n)| format!("{c} = v.{n}")).collect();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Val>> = rows.by_ref().take(per).collect();
            let sql = format!(
                "WITH v(v_id, {}) AS (VALUES {}) UPDATE {table} SET {} FROM v WHERE {table}.id = v.v_id",
                names.join(", "),
                placeholders(chunk.len(), width),
                sets.join(", ")
            );
            self.push(sql, chunk.into_iter().flatten().collect());
        }
    }

    /// Holds what `hold` writes and sends it at once.
    pub(crate) async fn apply(tx: &mut Transaction<'static, Any>, hold: impl FnOnce(&mut Writes)) -> Result<()> {
        let mut w = Writes::default();
        hold(&mut w);
        w.flush(tx).await
    }

    /// Sends the held writes, in order.
    pub(crate) async fn flush(&mut self, tx: &mut Transaction<'static, Any>) -> Result<()> {
        let statements = std::mem::take(&mut self.statements);
        if tx.backend_name() != "SQLite" {
            for (sql, args) in &statements {
                bind(sqlx::query(sql), args).execute(&mut **tx).await.map_err(db)?;
            }
            return Ok(());
        }
        // One call for every statement whose parameters can be anonymous; any other runs alone.
        let mut joined = String::new();
        let mut args: Vec<&Val> = Vec::new();
        for (sql, values) in &statements {
            match anonymous(sql) {
                Some(sql) => {
                    joined.push_str(&sql);
                    joined.push_str(";\n");
                    args.extend(values);
                }
                None => {
                    bind(sqlx::query(sql), values).execute(&mut **tx).await.map_err(db)?;
                }
            }
        }
        if !joined.is_empty() {
            let mut q = sqlx::query(&joined);
            for v in args {
                q = bind_one(q, v);
            }
            q.execute(&mut **tx).await.map_err(db)?;
        }
        Ok(())
    }
}

/// The statement as the connection's database wants its parameters. SQLite looks numbered
/// parameters (`$N`, `?N`) up by walking a list, both when it parses a statement and when sqlx binds
/// one, which is quadratic in a statement with thousands of them; anonymous `?` parameters cost
/// nothing. So when every `$N` appears once and in order — as in the statements built here — SQLite
/// gets `?`.
pub(crate) fn positional(conn: &sqlx::AnyConnection, sql: String) -> String {
    if conn.backend_name() != "SQLite" {
        return sql;
    }
    anonymous(&sql).unwrap_or(sql)
}

/// The statement with `?` for each `$N`, if every `$N` appears once and in order.
fn anonymous(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut expected = 1usize;
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit() {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if sql[start..end].parse::<usize>().ok() != Some(expected) {
                return None;
            }
            out.push_str(&sql[last..i]);
            out.push('?');
            expected += 1;
            last = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&sql[last..]);
    Some(out)
}

/// `$start, $start+1, …` for an `IN (…)` list of `n` values.
pub(crate) fn in_list(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Rows of `select … WHERE <fixed conditions> AND <column> IN (values)`, in chunks of 1000 values.
/// `sql` is the statement up to and including `IN (`; its own parameters `$1…$k` are `fixed`, and
/// the values follow them.
pub(crate) async fn rows_in(
    tx: &mut Transaction<'static, Any>,
    sql: &str,
    fixed: &[i64],
    values: &[&str],
) -> Result<Vec<AnyRow>> {
    let mut out = Vec::new();
    for chunk in values.chunks(1000) {
        let text = positional(tx, format!("{sql}{})", in_list(fixed.len() + 1, chunk.len())));
        let mut q = sqlx::query(&text);
        for f in fixed {
            q = q.bind(*f);
        }
        for v in chunk {
            q = q.bind(*v);
        }
        out.extend(q.fetch_all(&mut **tx).await.map_err(db)?);
    }
    Ok(out)
}
