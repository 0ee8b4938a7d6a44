//! CSV uploads: every bad line is reported with its line number and reason; by default a file with
//! any bad line changes nothing.

use ordo_domain::DomainError;
use ordo_domain::model::LineError;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// What to do with the good lines of a file that also has bad ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UploadMode {
    /// Apply nothing (the default).
    #[default]
    Strict,
    /// Apply the good lines (`?on_error=skip`).
    Skip,
}

impl UploadMode {
    /// Whether good lines are applied despite bad ones.
    pub fn skips(self) -> bool {
        self == UploadMode::Skip
    }
}

/// The good rows of a file with their line numbers, and the errors of the bad ones.
pub(crate) type ParsedCsv<T> = (Vec<(u64, T)>, Vec<LineError>);

/// Reads a CSV file with a header row into validated rows `(line, row)` and line errors. `key`
/// names the column whose repetition within one file is an error; `validate` gives each row's key
/// and value.
pub(crate) fn parse_csv<R, T>(
    bytes: &[u8],
    key_column: &str,
    validate: impl Fn(R) -> Result<(String, T), DomainError>,
) -> Result<ParsedCsv<T>, DomainError>
where
    R: DeserializeOwned,
{
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(bytes);
    let headers = reader.headers().map_err(|e| DomainError::field("file", format!("the header row can't be read: {e}")))?.clone();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(DomainError::field("file", "the file is empty: it needs a header row"));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(LineError { line, field: None, message: format!("unreadable line: {e}") });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let parsed: Result<R, csv::Error> = record.deserialize(Some(&headers));
        let validated = match parsed {
            Ok(r) => validate(r),
            Err(e) => Err(DomainError::Validation(vec![ordo_domain::FieldError::new(
                csv_field(&e, &headers).unwrap_or_default(),
                csv_message(&e),
            )])),
        };
        match validated {
            Ok((key, value)) => {
                if let Some(first) = seen.insert(key, line) {
                    errors.push(LineError {
                        line,
                        field: Some(key_column.into()),
                        message: format!("repeats line {first}; each {key_column} may appear once per file"),
                    });
                } else {
                    rows.push((line, value));
                }
            }
            Err(DomainError::Validation(fields)) => errors.extend(fields.into_iter().map(|f| LineError {
                line,
                field: (!f.field.is_empty()).then_some(f.field),
                message: f.message,
            })),
            Err(other) => errors.push(LineError { line, field: None, message: other.to_string() }),
        }
    }
    Ok((rows, errors))
}

fn csv_field(e: &csv::Error, headers: &csv::StringRecord) -> Option<String> {
    if let csv::ErrorKind::Deserialize { err, .. } = e.kind() {
        if let Some(i) = err.field() {
            return headers.get(i as usize).map(str::to_string);
        }
        let msg = err.to_string();
        if let Some(rest) = msg.split("missing field `").nth(1) {
            return rest.split('`').next().map(str::to_string);
        }
    }
    None
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let msg = err.to_string();
            if msg.contains("missing field") { "the column is missing from the header row".into() } else { msg }
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::SkuRequest;

    fn parse(csv: &str) -> ParsedCsv<ordo_store::SkuInput> {
        parse_csv::<SkuRequest, _>(csv.as_bytes(), "sku", |r: SkuRequest| r.validate().map(|s| (s.sku.clone(), s))).unwrap()
    }

    #[test]
    fn reports_each_bad_line_with_its_number() {
        let (rows, errors) = parse("sku,name,mrp\nA,Alpha,10\nB,,5\nC,Gamma,abc\nA,Again,1\n");
        assert_eq!(rows.len(), 1);
        let lines: Vec<_> = errors.iter().map(|e| (e.line, e.field.clone().unwrap_or_default())).collect();
        assert_eq!(lines, vec![(3, "name".into()), (4, "mrp".into()), (5, "sku".into())]);
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let (_, errors) = parse("sku,mrp\nA,10\n");
        assert_eq!(errors[0].field.as_deref(), Some("name"));
    }
}
