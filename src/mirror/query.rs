//! `neo4j query NAME --param key=value ...`: runs one of the compiled-in
//! Cypher queries of `queries/` against the mirror.
//!
//! Each query file opens with a comment block that is also its interface:
//! the first line says what it answers, `// param NAME: TYPE [= DEFAULT]`
//! lines declare its parameters (types `string`, `float`, `int`, `bool`,
//! `list<string>`; a list parameter is given once per element), and a
//! `// columns: a, b, c` line names the columns it returns, in order.
//! Values from the command line only ever become parameters.

use super::{Mirror, MirrorError};
use neo4rs::{BoltList, BoltType, query};
use serde_json::{Map, Value};

/// Every query: (name, text of `queries/NAME.cypher`).
pub const QUERIES: [(&str, &str); 6] = [
    (
        "trace_back",
        include_str!("../../queries/trace_back.cypher"),
    ),
    (
        "trace_forward",
        include_str!("../../queries/trace_forward.cypher"),
    ),
    (
        "recall_blast_radius",
        include_str!("../../queries/recall_blast_radius.cypher"),
    ),
    (
        "return_rates",
        include_str!("../../queries/return_rates.cypher"),
    ),
    (
        "supplier_attributed_returns",
        include_str!("../../queries/supplier_attributed_returns.cypher"),
    ),
    (
        "common_source",
        include_str!("../../queries/common_source.cypher"),
    ),
];

/// The type of a parameter.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Float,
    Int,
    Bool,
    StringList,
}

/// A declared parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDef {
    pub name: String,
    pub ty: ParamType,
    /// The default as written (`null`, `0.0`, ...); `None`: required.
    pub default: Option<String>,
    pub doc: String,
}

/// A query and its declared interface.
#[derive(Clone, Debug)]
pub struct QueryDef {
    pub name: &'static str,
    pub text: &'static str,
    /// The first line of the header.
    pub summary: String,
    pub params: Vec<ParamDef>,
    pub columns: Vec<&'static str>,
}

impl QueryDef {
    /// Parses the header of `text`.
    pub fn parse(name: &'static str, text: &'static str) -> QueryDef {
        let mut def = QueryDef {
            name,
            text,
            summary: String::new(),
            params: Vec::new(),
            columns: Vec::new(),
        };
        for line in text.lines() {
            let Some(c) = line.trim_start().strip_prefix("//") else {
                break;
            };
            let c = c.trim();
            if let Some(p) = c.strip_prefix("param ") {
                if let Some(d) = parse_param(p) {
                    def.params.push(d);
                }
            } else if let Some(cols) = c.strip_prefix("columns:") {
                def.columns = cols
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
            } else if def.summary.is_empty() && !c.is_empty() {
                def.summary = c.to_string();
            }
        }
        def
    }
}

fn parse_param(p: &str) -> Option<ParamDef> {
    let (name, rest) = p.split_once(':')?;
    let rest = rest.trim_start();
    let (ty, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let ty = match ty {
        "string" => ParamType::String,
        "float" => ParamType::Float,
        "int" => ParamType::Int,
        "bool" => ParamType::Bool,
        "list<string>" => ParamType::StringList,
        _ => return None,
    };
    let rest = rest.trim_start();
    let (default, doc) = match rest.strip_prefix('=') {
        Some(r) => {
            let r = r.trim_start();
            let (d, doc) = r.split_once(char::is_whitespace).unwrap_or((r, ""));
            (Some(d.to_string()), doc.trim().to_string())
        }
        None => (None, rest.trim().to_string()),
    };
    Some(ParamDef {
        name: name.trim().trim_start_matches('$').to_string(),
        ty,
        default,
        doc,
    })
}

/// Every query, parsed.
pub fn all() -> Vec<QueryDef> {
    QUERIES.iter().map(|(n, t)| QueryDef::parse(n, t)).collect()
}

/// The query called `name`.
pub fn find(name: &str) -> Result<QueryDef, MirrorError> {
    all()
        .into_iter()
        .find(|q| q.name == name)
        .ok_or_else(|| MirrorError::UnknownQuery {
            name: name.to_string(),
            available: QUERIES.iter().map(|q| q.0).collect::<Vec<_>>().join(", "),
        })
}

fn parse_value(q: &QueryDef, p: &ParamDef, v: &str) -> Result<BoltType, MirrorError> {
    let bad = |what: &str| MirrorError::Param {
        query: q.name.to_string(),
        message: format!("parameter {}: expected {what}, got {v:?}", p.name),
    };
    Ok(match p.ty {
        ParamType::String | ParamType::StringList => BoltType::from(v),
        ParamType::Float => BoltType::from(v.trim().parse::<f64>().map_err(|_| bad("a number"))?),
        ParamType::Int => BoltType::from(v.trim().parse::<i64>().map_err(|_| bad("an integer"))?),
        ParamType::Bool => {
            BoltType::from(v.trim().parse::<bool>().map_err(|_| bad("true or false"))?)
        }
    })
}

/// Builds the parameters of `q` from `key=value` pairs (list parameters
/// take one pair per element). Unknown keys and missing required
/// parameters are errors that list what the query takes.
pub fn bind(
    q: &QueryDef,
    pairs: &[(String, String)],
) -> Result<Vec<(String, BoltType)>, MirrorError> {
    let takes = || {
        q.params
            .iter()
            .map(|p| format!("{}{}", p.name, if p.default.is_some() { "?" } else { "" }))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (k, _) in pairs {
        if !q.params.iter().any(|p| &p.name == k) {
            return Err(MirrorError::Param {
                query: q.name.to_string(),
                message: format!("unknown parameter {k:?}; it takes: {}", takes()),
            });
        }
    }
    let mut out = Vec::new();
    for p in &q.params {
        let given: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| *k == p.name)
            .map(|(_, v)| v.as_str())
            .collect();
        let value = if p.ty == ParamType::StringList {
            if given.is_empty() && p.default.is_none() {
                return Err(MirrorError::Param {
                    query: q.name.to_string(),
                    message: format!(
                        "parameter {} is required (give --param {}=ID once per element)",
                        p.name, p.name
                    ),
                });
            }
            let list: BoltList = given
                .iter()
                .map(|v| BoltType::from(*v))
                .collect::<Vec<BoltType>>()
                .into();
            BoltType::List(list)
        } else {
            match (given.as_slice(), &p.default) {
                ([], None) => {
                    return Err(MirrorError::Param {
                        query: q.name.to_string(),
                        message: format!("parameter {} is required; it takes: {}", p.name, takes()),
                    });
                }
                ([], Some(d)) if d == "null" => BoltType::Null(neo4rs::BoltNull),
                ([], Some(d)) => parse_value(q, p, d)?,
                ([v], _) => parse_value(q, p, v)?,
                _ => {
                    return Err(MirrorError::Param {
                        query: q.name.to_string(),
                        message: format!("parameter {} given more than once", p.name),
                    });
                }
            }
        };
        out.push((p.name.clone(), value));
    }
    Ok(out)
}

/// A Bolt value as JSON (dates as `YYYY-MM-DD`).
pub fn to_json(v: &BoltType) -> Value {
    match v {
        BoltType::Null(_) => Value::Null,
        BoltType::String(s) => Value::String(s.value.clone()),
        BoltType::Boolean(b) => Value::Bool(b.value),
        BoltType::Integer(i) => Value::from(i.value),
        BoltType::Float(f) => {
            serde_json::Number::from_f64(f.value).map_or(Value::Null, Value::Number)
        }
        BoltType::List(l) => Value::Array(l.value.iter().map(to_json).collect()),
        BoltType::Map(m) => {
            let mut keys: Vec<_> = m.value.keys().collect();
            keys.sort_by(|a, b| a.value.cmp(&b.value));
            let mut out = Map::new();
            for k in keys {
                if let Some(x) = m.value.get(k) {
                    out.insert(k.value.clone(), to_json(x));
                }
            }
            Value::Object(out)
        }
        BoltType::Date(d) => {
            chrono::NaiveDate::try_from(d).map_or(Value::Null, |d| Value::String(d.to_string()))
        }
        other => Value::String(format!("{other:?}")),
    }
}

/// The answer of a query: its columns and rows as JSON values.
#[derive(Clone, Debug)]
pub struct Answer {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
}

/// Runs `q` with `params`.
pub async fn run(
    mirror: &Mirror,
    q: &QueryDef,
    params: Vec<(String, BoltType)>,
) -> Result<Answer, MirrorError> {
    let mut cypher = query(q.text);
    for (k, v) in params {
        cypher = cypher.param(&k, v);
    }
    let rows = mirror
        .fetch(&format!("running query {}", q.name), cypher, &q.columns)
        .await?;
    Ok(Answer {
        columns: q.columns.clone(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(to_json).collect())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_declares_columns_and_parameters() {
        for q in all() {
            assert!(!q.summary.is_empty(), "{} has no summary", q.name);
            assert!(!q.columns.is_empty(), "{} declares no columns", q.name);
            assert!(!q.params.is_empty(), "{} declares no parameters", q.name);
            for p in &q.params {
                assert!(
                    q.text.contains(&format!("${}", p.name)),
                    "{} declares ${} but does not use it",
                    q.name,
                    p.name
                );
            }
        }
    }

    #[test]
    fn params_bind_by_type() {
        let q = find("recall_blast_radius").unwrap();
        let b = bind(
            &q,
            &[
                ("seeds".into(), "A".into()),
                ("seeds".into(), "' DETACH DELETE n //".into()),
            ],
        )
        .unwrap();
        assert!(matches!(&b[0].1, BoltType::List(l) if l.len() == 2));
        assert!(bind(&q, &[("nope".into(), "1".into())]).is_err());
        assert!(bind(&q, &[]).is_err());
        assert!(find("nope").is_err());
    }
}
