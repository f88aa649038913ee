//! Strict argument reading for engine operations given as JSON objects (SEMANTICS-engine §0
//! "Strict inputs": unknown fields, wrong types and out-of-range numbers → `VALIDATION_ERROR`).

use crate::error::{Error, Result};
use crate::json::Json;

/// A JSON object of named arguments.
pub struct Args<'a> {
    members: &'a [(String, Json)],
    op: &'a str,
}

fn bad(op: &str, k: &str, what: &str) -> Error {
    Error::validation(format!("{op}: {k} must be {what}"))
}

impl<'a> Args<'a> {
    /// Wraps `v` (which must be an object or null) and rejects names outside `allowed`.
    pub fn new(op: &'a str, v: &'a Json, allowed: &[&str]) -> Result<Args<'a>> {
        static EMPTY: [(String, Json); 0] = [];
        let members: &'a [(String, Json)] = match v {
            Json::Obj(m) => m,
            Json::Null => &EMPTY,
            _ => {
                return Err(Error::validation(format!(
                    "{op}: arguments must be an object"
                )))
            }
        };
        for (k, _) in members {
            if !allowed.contains(&k.as_str()) {
                return Err(Error::validation(format!(
                    "{op}: unknown argument {:?}",
                    crate::rate::truncate(k)
                )));
            }
        }
        Ok(Args { members, op })
    }

    /// The raw value (None when absent or null).
    pub fn get(&self, k: &str) -> Option<&'a Json> {
        self.members
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// A required string.
    pub fn str(&self, k: &str) -> Result<&'a str> {
        self.opt_str(k)?
            .ok_or_else(|| bad(self.op, k, "a string (required)"))
    }

    /// An optional string.
    pub fn opt_str(&self, k: &str) -> Result<Option<&'a str>> {
        match self.get(k) {
            None => Ok(None),
            Some(Json::Str(s)) => Ok(Some(s)),
            Some(_) => Err(bad(self.op, k, "a string")),
        }
    }

    /// An optional integer.
    pub fn opt_int(&self, k: &str) -> Result<Option<i64>> {
        match self.get(k) {
            None => Ok(None),
            Some(Json::Int(i)) => Ok(Some(*i)),
            Some(_) => Err(bad(self.op, k, "an integer")),
        }
    }

    /// An optional boolean.
    #[allow(dead_code)]
    pub fn opt_bool(&self, k: &str) -> Result<Option<bool>> {
        match self.get(k) {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(bad(self.op, k, "a boolean")),
        }
    }

    /// An optional list of strings.
    pub fn opt_strs(&self, k: &str) -> Result<Option<Vec<String>>> {
        match self.get(k) {
            None => Ok(None),
            Some(Json::Arr(a)) => a
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| bad(self.op, k, "a list of strings"))
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(bad(self.op, k, "a list of strings")),
        }
    }

    /// An optional object of string values.
    pub fn opt_str_map(&self, k: &str) -> Result<Option<Vec<(String, String)>>> {
        match self.get(k) {
            None => Ok(None),
            Some(Json::Obj(m)) => m
                .iter()
                .map(|(n, v)| {
                    v.as_str()
                        .map(|s| (n.clone(), s.to_string()))
                        .ok_or_else(|| bad(self.op, k, "an object of strings"))
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(bad(self.op, k, "an object of strings")),
        }
    }
}
