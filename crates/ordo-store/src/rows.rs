//! Reading query results by column name. A column a query does not select, or one that holds
//! another type than the record expects, is a store bug or a schema out of step with the code: it
//! becomes [`DomainError::Internal`] naming the column, never a panic. Columns are found by the
//! names the queries give them, so an expression is selected `AS` a name.

use crate::Result;
use ordo_domain::{DomainError, Timestamp};
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use sqlx::{Any, Decode, Row, Type};

/// A record read from one result row.
pub(crate) trait FromRow: Sized {
    /// The record in `row`, its columns found by name.
    fn from_row(row: &AnyRow) -> Result<Self>;
}

/// The error of a column that can't be read.
fn unreadable(name: &str, why: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("column '{name}' unreadable: {why}"))
}

/// Column `name` of `row`.
pub(crate) fn col<'r, T: Decode<'r, Any> + Type<Any>>(row: &'r AnyRow, name: &str) -> Result<T> {
    row.try_get(name).map_err(|e| unreadable(name, e))
}

/// The `id` column of a row and the record it holds, for a page that continues after the id.
pub(crate) fn with_id<T: FromRow>(row: &AnyRow) -> Result<(i64, T)> {
    Ok((col(row, "id")?, T::from_row(row)?))
}

/// A time column (microseconds since the epoch).
pub(crate) fn time(row: &AnyRow, name: &str) -> Result<Timestamp> {
    col(row, name).map(Timestamp::from_micros)
}

/// A time column that may be null.
pub(crate) fn opt_time(row: &AnyRow, name: &str) -> Result<Option<Timestamp>> {
    Ok(col::<Option<i64>>(row, name)?.map(Timestamp::from_micros))
}

/// A flag stored as 0 or 1 (the same on both databases).
pub(crate) fn flag(row: &AnyRow, name: &str) -> Result<bool> {
    Ok(col::<i64>(row, name)? != 0)
}

/// An id column as the API shows ids: as text.
pub(crate) fn id_text(row: &AnyRow, name: &str) -> Result<String> {
    Ok(col::<i64>(row, name)?.to_string())
}

/// An id column that may be null, as text.
pub(crate) fn opt_id_text(row: &AnyRow, name: &str) -> Result<Option<String>> {
    Ok(col::<Option<i64>>(row, name)?.map(|id| id.to_string()))
}

/// A word column read into one of the domain's enums by its `parse`. The word is borrowed from
/// the row, not copied.
pub(crate) fn word<T>(row: &AnyRow, name: &str, parse: impl FnOnce(&str) -> std::result::Result<T, String>) -> Result<T> {
    parse(col::<&str>(row, name)?).map_err(|e| unreadable(name, e))
}

/// A word column that may be null, read like [`word`].
pub(crate) fn opt_word<T>(
    row: &AnyRow,
    name: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, String>,
) -> Result<Option<T>> {
    col::<Option<&str>>(row, name)?.map(|w| parse(w).map_err(|e| unreadable(name, e))).transpose()
}

/// A JSON text column that may be null.
pub(crate) fn opt_json<T: DeserializeOwned>(row: &AnyRow, name: &str) -> Result<Option<T>> {
    col::<Option<&str>>(row, name)?.map(|t| serde_json::from_str(t).map_err(|e| unreadable(name, e))).transpose()
}

/// A JSON text column.
pub(crate) fn json<T: DeserializeOwned>(row: &AnyRow, name: &str) -> Result<T> {
    serde_json::from_str(col::<&str>(row, name)?).map_err(|e| unreadable(name, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_domain::kinds::OrderStatus;

    /// One row of a real query on an in-memory SQLite database.
    async fn row(sql: &str) -> AnyRow {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect("sqlite::memory:").await.expect("in-memory SQLite");
        sqlx::query(sql).fetch_one(&mut conn).await.expect("the query runs")
    }

    #[tokio::test]
    async fn columns_are_read_by_name_whatever_their_position() {
        let r = row("SELECT 'CANCELLED' AS status, 7 AS id, 1 AS hold, NULL AS at, '[\"a\"]' AS skus").await;
        assert_eq!(col::<i64>(&r, "id").unwrap(), 7);
        assert_eq!(id_text(&r, "id").unwrap(), "7");
        assert!(flag(&r, "hold").unwrap());
        assert_eq!(opt_time(&r, "at").unwrap(), None);
        assert_eq!(word(&r, "status", OrderStatus::parse).unwrap(), OrderStatus::Cancelled);
        assert_eq!(opt_word(&r, "status", OrderStatus::parse).unwrap(), Some(OrderStatus::Cancelled));
        assert_eq!(opt_word(&r, "at", OrderStatus::parse).unwrap(), None);
        assert_eq!(json::<Vec<String>>(&r, "skus").unwrap(), vec!["a".to_string()]);
    }

    #[tokio::test]
    async fn a_missing_or_mistyped_column_is_an_internal_error_naming_it() {
        let r = row("SELECT 'x' AS status, 'not a number' AS id").await;
        let named = |e: DomainError, column: &str| matches!(&e, DomainError::Internal(m) if m.contains(&format!("'{column}'")));
        assert!(named(col::<i64>(&r, "missing").unwrap_err(), "missing"));
        assert!(named(col::<i64>(&r, "id").unwrap_err(), "id"));
        assert!(named(word(&r, "status", OrderStatus::parse).unwrap_err(), "status"));
        assert!(named(json::<Vec<String>>(&r, "status").unwrap_err(), "status"));
    }
}
