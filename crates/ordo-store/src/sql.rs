//! Multi-row statements: a page of orders is written in a handful of statements, not one per row.
//! The same SQL runs on SQLite and PostgreSQL (`WITH v(...) AS (VALUES ...) UPDATE ... FROM v`).

use crate::Result;
use crate::db::db;
use ordo_domain::DomainError;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::borrow::Cow;

/// A value bound into a multi-row statement. Text borrows the words of enums (statuses, pools,
/// kinds) instead of copying them: a page of orders binds thousands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Text(Cow<'static, str>),
    OptText(Option<String>),
    Bytes(Vec<u8>),
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
        Val::Text(Cow::Owned(v))
    }
}
impl From<&'static str> for Val {
    fn from(v: &'static str) -> Self {
        Val::Text(Cow::Borrowed(v))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::OptText(v)
    }
}

/// Bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535.
fn max_params(sqlite: bool) -> usize {
    if sqlite { 32_000 } else { 65_000 }
}

fn is_sqlite(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name() == "SQLite"
}

type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Binds one value to a query.
pub(crate) fn bind_one<'q>(q: Query<'q>, v: &'q Val) -> Query<'q> {
    match v {
        Val::Int(i) => q.bind(*i),
        Val::OptInt(i) => q.bind(*i),
        Val::Text(s) => q.bind(s.as_ref()),
        Val::OptText(s) => q.bind(s.as_deref()),
        Val::Bytes(b) => q.bind(b.as_slice()),
    }
}

/// Parameter `n`: `$n`, or an anonymous `?` on SQLite (see [`positional`]).
fn param(s: &mut String, n: usize, sqlite: bool) {
    if sqlite {
        s.push('?');
    } else {
        use std::fmt::Write;
        let _ = write!(s, "${n}");
    }
}

/// `(…), (…)`: `rows` tuples of `cols` parameters, numbered from 1.
fn values_list(s: &mut String, rows: usize, cols: usize, sqlite: bool) {
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            param(s, r * cols + c + 1, sqlite);
        }
        s.push(')');
    }
}

fn insert_sql(table: &str, columns: &[&str], rows: usize, suffix: &str, sqlite: bool) -> String {
    let mut s = String::with_capacity(64 + rows * columns.len() * 7);
    s.push_str("INSERT INTO ");
    s.push_str(table);
    s.push_str(" (");
    s.push_str(&columns.join(", "));
    s.push_str(") VALUES ");
    values_list(&mut s, rows, columns.len(), sqlite);
    s.push(' ');
    s.push_str(suffix);
    s
}

/// Sets `columns` of the rows whose ids come first in each tuple. The id range of the rows is bound
/// last, so the database reads only that range of the table, not all of it, to join them.
fn update_sql(table: &str, columns: &[&str], rows: usize, sqlite: bool) -> String {
    let width = columns.len() + 1;
    let mut s = String::with_capacity(128 + rows * width * 7);
    s.push_str("WITH v(v_id");
    for c in columns {
        s.push_str(", v_");
        s.push_str(c);
    }
    s.push_str(") AS (VALUES ");
    values_list(&mut s, rows, width, sqlite);
    s.push_str(") UPDATE ");
    s.push_str(table);
    s.push_str(" SET ");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(c);
        s.push_str(" = v.v_");
        s.push_str(c);
    }
    s.push_str(" FROM v WHERE ");
    s.push_str(table);
    s.push_str(".id = v.v_id AND ");
    s.push_str(table);
    s.push_str(".id BETWEEN ");
    param(&mut s, rows * width + 1, sqlite);
    s.push_str(" AND ");
    param(&mut s, rows * width + 2, sqlite);
    s
}

/// `INSERT INTO table (columns) VALUES …` for all rows, in as few statements as the parameter
/// limit allows, at once. With `RETURNING` in `suffix`, the returned rows of all statements, in order.
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
    suffix: &str,
) -> Result<Vec<AnyRow>> {
    let mut out = Vec::new();
    let sqlite = is_sqlite(tx);
    for chunk in rows.chunks((max_params(sqlite) / columns.len()).max(1)) {
        let sql = insert_sql(table, columns, chunk.len(), suffix, sqlite);
        let mut q = sqlx::query(&sql);
        for v in chunk.iter().flatten() {
            q = bind_one(q, v);
        }
        if suffix.contains("RETURNING") {
            out.extend(q.fetch_all(&mut **tx).await.map_err(db)?);
        } else {
            q.execute(&mut **tx).await.map_err(db)?;
        }
    }
    Ok(out)
}

/// A write held by [`Writes`], made into SQL when it is sent (for the database it goes to).
enum Held {
    /// SQL with parameters `$1…$n`, each used once and in order.
    Statement {
        sql: String,
        args: Vec<Val>,
    },
    Insert {
        table: &'static str,
        columns: &'static [&'static str],
        rows: Vec<Vec<Val>>,
        suffix: &'static str,
    },
    /// Each row is the id, then a value for each column.
    Update {
        table: &'static str,
        columns: &'static [&'static str],
        rows: Vec<Vec<Val>>,
    },
}

/// Writes whose answers nobody reads, held until [`Writes::flush`] sends them in order. On SQLite
/// they go in one call (statements joined by `;`): every call is a hand-off to the connection's
/// thread, which costs more than a small statement itself. Reads do not see held writes, so a
/// caller flushes before it reads what they change, and always before commit.
#[derive(Default)]
pub(crate) struct Writes {
    held: Vec<Held>,
}

impl Writes {
    /// A statement with parameters `$1…$n`, each used once and in order.
    pub(crate) fn push(&mut self, sql: String, args: Vec<Val>) {
        self.held.push(Held::Statement { sql, args });
    }

    /// `INSERT INTO table (columns) VALUES …` for all rows.
    pub(crate) fn insert(
        &mut self,
        table: &'static str,
        columns: &'static [&'static str],
        rows: Vec<Vec<Val>>,
        suffix: &'static str,
    ) {
        if !rows.is_empty() {
            self.held.push(Held::Insert { table, columns, rows, suffix });
        }
    }

    /// Sets `columns` of the rows of `table` whose `id` is each row's first value:
    /// `rows[i] = [id, value of columns[0], …]`.
    pub(crate) fn update_by_id(&mut self, table: &'static str, columns: &'static [&'static str], rows: Vec<Vec<Val>>) {
        if !rows.is_empty() {
            self.held.push(Held::Update { table, columns, rows });
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
        let held = std::mem::take(&mut self.held);
        let sqlite = is_sqlite(tx);
        let limit = max_params(sqlite);
        let rows_per = |columns: usize| (limit / columns).max(1);
        // The id range of each chunk of an update, bound after its rows.
        let mut bounds: Vec<[Val; 2]> = Vec::new();
        for h in &held {
            if let Held::Update { table, columns, rows } = h {
                for chunk in rows.chunks(rows_per(columns.len() + 1)) {
                    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
                    for row in chunk {
                        let Some(Val::Int(id)) = row.first() else {
                            return Err(DomainError::Internal(format!("an update of {table} without an id first")));
                        };
                        (lo, hi) = (lo.min(*id), hi.max(*id));
                    }
                    bounds.push([Val::Int(lo), Val::Int(hi)]);
                }
            }
        }
        let mut bounds = bounds.iter();
        let mut statements: Vec<(String, Vec<&Val>)> = Vec::new();
        for h in &held {
            match h {
                Held::Statement { sql, args } => {
                    let sql = if sqlite {
                        anonymous(sql).ok_or_else(|| {
                            DomainError::Internal(format!("held statement without parameters $1…$n in order: {sql}"))
                        })?
                    } else {
                        sql.clone()
                    };
                    statements.push((sql, args.iter().collect()));
                }
                Held::Insert { table, columns, rows, suffix } => {
                    for chunk in rows.chunks(rows_per(columns.len())) {
                        statements
                            .push((insert_sql(table, columns, chunk.len(), suffix, sqlite), chunk.iter().flatten().collect()));
                    }
                }
                Held::Update { table, columns, rows } => {
                    for chunk in rows.chunks(rows_per(columns.len() + 1)) {
                        let range = bounds.next().expect("a range for each chunk");
                        let args = chunk.iter().flatten().chain(range).collect();
                        statements.push((update_sql(table, columns, chunk.len(), sqlite), args));
                    }
                }
            }
        }
        if sqlite && statements.len() > 1 {
            let joined: Vec<&str> = statements.iter().map(|(sql, _)| sql.as_str()).collect();
            let joined = joined.join(";\n");
            let mut q = sqlx::query(&joined);
            for v in statements.iter().flat_map(|(_, args)| args.iter()) {
                q = bind_one(q, v);
            }
            q.execute(&mut **tx).await.map_err(db)?;
            return Ok(());
        }
        for (sql, args) in &statements {
            let mut q = sqlx::query(sql);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_anonymous_only_when_each_comes_once_and_in_order() {
        assert_eq!(anonymous("a = $1 AND b IN ($2, $3)").as_deref(), Some("a = ? AND b IN (?, ?)"));
        assert_eq!(anonymous("a = $2 AND b = $1"), None);
        assert_eq!(anonymous("a = $1 OR b = $1"), None);
        assert_eq!(anonymous("no parameters").as_deref(), Some("no parameters"));
    }

    #[test]
    fn an_update_by_id_binds_its_rows_then_their_id_range() {
        assert_eq!(
            update_sql("orders", &["status"], 2, false),
            "WITH v(v_id, v_status) AS (VALUES ($1, $2), ($3, $4)) UPDATE orders SET status = v.v_status FROM v \
             WHERE orders.id = v.v_id AND orders.id BETWEEN $5 AND $6"
        );
        assert_eq!(update_sql("orders", &["status"], 1, true).matches('?').count(), 4);
    }

    #[test]
    fn an_insert_numbers_its_parameters_row_by_row() {
        assert_eq!(insert_sql("t", &["a", "b"], 2, "", false), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ");
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, "RETURNING id", true),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?) RETURNING id"
        );
    }
}
