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

/// A request that can also come as one line of a CSV file, and the columns its header row names.
pub(crate) trait CsvRow: DeserializeOwned {
    /// Every column a file may have.
    const COLUMNS: &'static [&'static str];
    /// The columns a file must have.
    const REQUIRED: &'static [&'static str];
}

/// The problems of a header row (line 1): columns that are missing, unknown, or named twice. A
/// file whose header is wrong can't be read at all, whatever `?on_error` says.
fn check_header<R: CsvRow>(headers: &csv::StringRecord) -> Vec<LineError> {
    let at_header = |field: Option<&str>, message: String| LineError { line: 1, field: field.map(str::to_string), message };
    let columns = R::COLUMNS.join(",");
    if headers.iter().all(str::is_empty) {
        return vec![at_header(None, format!("the file is empty: it needs a header row such as {columns}"))];
    }
    let mut errors = Vec::new();
    for (i, name) in headers.iter().enumerate() {
        if !R::COLUMNS.contains(&name) {
            errors.push(at_header(Some(name), format!("is not a column of this file; the header row may name {columns}")));
        } else if headers.iter().take(i).any(|earlier| earlier == name) {
            errors.push(at_header(Some(name), "is named twice in the header row".into()));
        }
    }
    for required in R::REQUIRED.iter().filter(|r| !headers.iter().any(|h| h == **r)) {
        errors.push(at_header(Some(required), "the header row must name this column".into()));
    }
    errors
}

/// Reads a CSV file with a header row into validated rows `(line, row)` and line errors. `key`
/// names the column whose repetition within one file is an error; `validate` gives each row's key
/// and value. A bad header row refuses the whole file.
pub(crate) fn parse_csv<R, T>(
    bytes: &[u8],
    key_column: &str,
    validate: impl Fn(R) -> Result<(String, T), DomainError>,
) -> Result<ParsedCsv<T>, DomainError>
where
    R: CsvRow,
{
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let message = format!("the header row can't be read: {e}");
            return Err(DomainError::UploadRejected(vec![LineError { line: 1, field: None, message }]));
        }
    };
    let header_errors = check_header::<R>(&headers);
    if !header_errors.is_empty() {
        return Err(DomainError::UploadRejected(header_errors));
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
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
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

    fn header_errors(csv: &str) -> Vec<(u64, Option<String>)> {
        let parsed = parse_csv::<SkuRequest, _>(csv.as_bytes(), "sku", |r: SkuRequest| r.validate().map(|s| (s.sku.clone(), s)));
        match parsed {
            Err(DomainError::UploadRejected(errors)) => errors.into_iter().map(|e| (e.line, e.field)).collect(),
            other => panic!("the header was not refused: {other:?}"),
        }
    }

    #[test]
    fn a_missing_required_column_is_named_once_at_the_header() {
        assert_eq!(header_errors("sku,mrp\nA,10\nB,20\n"), vec![(1, Some("name".into()))]);
    }

    #[test]
    fn a_header_of_unknown_or_repeated_columns_refuses_the_file() {
        assert_eq!(
            header_errors("{}"),
            vec![(1, Some("{}".into())), (1, Some("sku".into())), (1, Some("name".into()))],
            "a JSON body sent as CSV is not a file of articles"
        );
        assert_eq!(header_errors("sku,name,mpr\nA,a,1\n"), vec![(1, Some("mpr".into()))]);
        assert_eq!(header_errors("sku,name,sku\n"), vec![(1, Some("sku".into()))]);
        assert_eq!(header_errors(""), vec![(1, None)]);
    }
}
