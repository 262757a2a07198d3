//! Keyset pagination: opaque cursors bound to their sort and filters, and the
//! SQL that continues after the last row of a page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{GenericClient, StoreError, StoreResult};

/// One page of a collection.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// A cursor that does not belong to this query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cursor is not valid for this list, its sort and its filters")]
pub struct BadCursor;

#[derive(Serialize, Deserialize)]
struct CursorData {
    /// Fingerprint of the sort and filters the cursor was made for.
    f: String,
    /// The sort value of the last row, as PostgreSQL writes it (None: NULL).
    v: Option<String>,
    /// The id of the last row.
    i: Uuid,
}

/// Where the previous page ended.
pub use crate::domain::listing::After;

/// A stable fingerprint of a query's sort and filters.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..8])
}

pub fn encode_cursor(fingerprint: &str, value: Option<String>, id: Uuid) -> String {
    let data = CursorData {
        f: fingerprint.to_owned(),
        v: value,
        i: id,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default())
}

pub fn decode_cursor(cursor: &str, fingerprint: &str) -> Result<After, BadCursor> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| BadCursor)?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| BadCursor)?;
    if data.f != fingerprint {
        return Err(BadCursor);
    }
    Ok(After {
        value: data.v,
        id: data.i,
    })
}

/// Whether a cursor's sort value has the form PostgreSQL writes for `sql_type`
/// (a crafted cursor must be refused here, never reach the database's cast).
pub fn value_fits(sql_type: &str, value: &str) -> bool {
    use crate::domain::listing::{DATE_FORM as DATE, TIMESTAMPTZ_FORM as TIMESTAMPTZ};
    match sql_type {
        "timestamptz" => time::OffsetDateTime::parse(value, TIMESTAMPTZ).is_ok(),
        "date" => time::Date::parse(value, DATE).is_ok(),
        "smallint" => value.parse::<i16>().is_ok(),
        "integer" => value.parse::<i32>().is_ok(),
        "bigint" => value.parse::<i64>().is_ok(),
        "text" => crate::domain::listing::text_fits(value),
        _ => false,
    }
}

/// Positional SQL parameters built up with the query text.
#[derive(Default)]
pub struct Params {
    values: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Params {
    /// Adds a value and returns its placeholder (`$n`).
    pub fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.values.len())
    }

    pub fn as_refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// How a collection is ordered: a sort expression, then the id.
#[derive(Debug, Clone, Copy)]
pub struct Keyset {
    /// The SQL expression sorted on (e.g. `a.updated_at`, `lower(a.company)`).
    pub expr: &'static str,
    /// Its SQL type, to cast the cursor's text value.
    pub sql_type: &'static str,
    /// The id column.
    pub id: &'static str,
    pub nullable: bool,
    pub descending: bool,
}

impl Keyset {
    /// An ascending sort on a column that is never NULL.
    pub fn ascending(expr: &'static str, sql_type: &'static str, id: &'static str) -> Self {
        Keyset {
            expr,
            sql_type,
            id,
            nullable: false,
            descending: false,
        }
    }

    /// `ORDER BY` with NULLs last in both directions.
    pub fn order_by(&self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        let nulls = if self.nullable && self.descending {
            " NULLS LAST"
        } else {
            ""
        };
        format!(
            "{expr} {dir}{nulls}, {id} {dir}",
            expr = self.expr,
            id = self.id
        )
    }

    /// The condition for rows after `after`.
    pub fn after(&self, after: &After, params: &mut Params) -> String {
        let (cmp, expr, id) = (if self.descending { "<" } else { ">" }, self.expr, self.id);
        let id_param = params.push(after.id);
        match &after.value {
            None => format!("({expr} IS NULL AND {id} {cmp} {id_param})"),
            Some(v) => {
                // Sent as text and cast by PostgreSQL: the value is PostgreSQL's own
                // text form of the sort value, so the round trip is exact.
                let v = format!("{}::text::{}", params.push(v.clone()), self.sql_type);
                let nulls = if self.nullable {
                    format!(" OR {expr} IS NULL")
                } else {
                    String::new()
                };
                format!("({expr} {cmp} {v} OR ({expr} = {v} AND {id} {cmp} {id_param}){nulls})")
            }
        }
    }

    /// The select-list item that yields the cursor value.
    pub fn cursor_column(&self) -> String {
        format!(
            "({})::text AS cursor_value, {} AS cursor_id",
            self.expr, self.id
        )
    }
}

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Cursor(#[from] BadCursor),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<tokio_postgres::Error> for ListError {
    fn from(e: tokio_postgres::Error) -> Self {
        ListError::Store(e.into())
    }
}

/// One keyset-paginated query: `SELECT columns FROM from WHERE conditions`
/// in the keyset's order, continuing after a cursor.
pub struct PageQuery {
    columns: &'static str,
    from: &'static str,
    keyset: Keyset,
    fingerprint: String,
    params: Params,
    conditions: Vec<String>,
}

impl PageQuery {
    /// `parts` name the list, its sort and its filters: a cursor only works
    /// with the same parts.
    pub fn new(columns: &'static str, from: &'static str, keyset: Keyset, parts: &[&str]) -> Self {
        Self::bound_to(columns, from, keyset, fingerprint(parts))
    }

    /// A query whose cursors carry `fingerprint` (made by [`fingerprint`]).
    pub fn bound_to(
        columns: &'static str,
        from: &'static str,
        keyset: Keyset,
        fingerprint: String,
    ) -> Self {
        PageQuery {
            columns,
            from,
            keyset,
            fingerprint,
            params: Params::default(),
            conditions: Vec::new(),
        }
    }

    /// Adds a parameter; returns its placeholder.
    pub fn param(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(value)
    }

    /// Adds a condition (ANDed with the others).
    pub fn condition(&mut self, sql: String) {
        self.conditions.push(sql);
    }

    /// Reads one page: at most `limit` rows after `cursor`.
    pub async fn fetch<T>(
        mut self,
        db: &impl GenericClient,
        cursor: Option<&str>,
        limit: usize,
        map: impl Fn(&Row) -> StoreResult<T>,
    ) -> Result<Page<T>, ListError> {
        if let Some(c) = cursor {
            let after = decode_cursor(c, &self.fingerprint)?;
            if after
                .value
                .as_deref()
                .is_some_and(|v| !value_fits(self.keyset.sql_type, v))
            {
                return Err(BadCursor.into());
            }
            let condition = self.keyset.after(&after, &mut self.params);
            self.conditions.push(condition);
        }
        let limit_param = self.params.push((limit + 1) as i64);
        let (columns, cursor, order) = (
            self.columns,
            self.keyset.cursor_column(),
            self.keyset.order_by(),
        );
        let conditions = self.conditions.join(" AND ");
        let sql = format!(
            "SELECT {columns}, {cursor} FROM {from} WHERE {conditions} ORDER BY {order} LIMIT {limit_param}",
            from = self.from,
        );
        let items = self.read(db, &sql, &map).await?;
        Ok(finish_page(items, limit, &self.fingerprint))
    }

    async fn read<T>(
        &self,
        db: &impl GenericClient,
        sql: &str,
        map: &impl Fn(&Row) -> StoreResult<T>,
    ) -> Result<Vec<(T, Option<String>, Uuid)>, ListError> {
        let stmt = db.prepare_cached(sql).await?;
        let rows = db.query(&stmt, &self.params.as_refs()).await?;
        Ok(rows
            .iter()
            .map(|r| {
                let id: Uuid = r.try_get("cursor_id")?;
                Ok((map(r)?, r.try_get("cursor_value")?, id))
            })
            .collect::<StoreResult<Vec<_>>>()?)
    }
}

/// Cuts `limit + 1` fetched rows to a page and makes its cursor.
pub fn finish_page<T>(
    mut rows: Vec<(T, Option<String>, Uuid)>,
    limit: usize,
    fingerprint: &str,
) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last()
            .map(|(_, value, id)| encode_cursor(fingerprint, value.clone(), *id))
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(|(t, _, _)| t).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_only_works_with_its_own_fingerprint() {
        let id = Uuid::now_v7();
        let c = encode_cursor("abc", Some("2026-01-01".into()), id);
        assert_eq!(
            decode_cursor(&c, "abc"),
            Ok(After {
                value: Some("2026-01-01".into()),
                id
            })
        );
        assert_eq!(decode_cursor(&c, "abd"), Err(BadCursor));
        assert_eq!(decode_cursor("not a cursor", "abc"), Err(BadCursor));
    }

    #[test]
    fn sort_values_must_have_their_type_s_form() {
        assert!(value_fits("timestamptz", "2026-11-30 06:18:03.123456+00"));
        assert!(value_fits("timestamptz", "2026-11-30 06:18:03+05:30"));
        assert!(!value_fits("timestamptz", "yesterday"));
        assert!(!value_fits("timestamptz", "2026-13-30 06:18:03+00"));
        assert!(value_fits("date", "2026-03-05"));
        assert!(!value_fits("date", "2026-03-05'; DROP TABLE x; --"));
        assert!(value_fits("smallint", "42") && !value_fits("smallint", "99999"));
        assert!(value_fits("text", "acme ünïcode") && !value_fits("text", "a\0b"));
    }

    proptest::proptest! {
        /// Decoding any text never panics; a cursor survives its own round trip.
        #[test]
        fn cursors_decode_safely(junk in "(?s).{0,200}", value in proptest::option::of("(?s).{0,50}")) {
            let _ = decode_cursor(&junk, "f");
            let id = Uuid::now_v7();
            let c = encode_cursor("f", value.clone(), id);
            proptest::prop_assert_eq!(decode_cursor(&c, "f"), Ok(After { value, id }));
            proptest::prop_assert_eq!(decode_cursor(&c, "g"), Err(BadCursor));
        }

        #[test]
        fn cursor_values_are_checked_without_panicking(t in "(?s).{0,40}") {
            for ty in ["timestamptz", "date", "smallint", "text", "integer", "bigint"] {
                let _ = value_fits(ty, &t);
            }
        }
    }

    #[test]
    fn fingerprints_differ_when_any_part_differs() {
        assert_ne!(fingerprint(&["a", "bc"]), fingerprint(&["ab", "c"]));
        assert_eq!(fingerprint(&["x"]), fingerprint(&["x"]));
    }
}
