//! Conversions between Python values and the core's ordered `Json` value, and argument
//! extraction that maps every wrong type to `VALIDATION_ERROR` (never a `TypeError` or a crash).

use crate::errors::validation;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use warden_core::Json;

/// Deepest Python structure converted (deeper, or self-referential, → `VALIDATION_ERROR`).
const MAX_DEPTH: usize = 64;

/// A Python value as the core `Json` value: `bool` before `int` (bool is an int subclass),
/// ints outside i64 as `BigInt` (exact digits), floats as `Float`, dict keys must be `str`.
pub fn py_to_json(v: &Bound<'_, PyAny>) -> PyResult<Json> {
    to_json(v, 0)
}

fn to_json(v: &Bound<'_, PyAny>, depth: usize) -> PyResult<Json> {
    let py = v.py();
    if depth > MAX_DEPTH {
        return Err(validation(py, "value nested too deeply"));
    }
    if v.is_none() {
        return Ok(Json::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Json::Bool(b.is_true()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Json::Str(py_str(s)?.to_string()));
    }
    if let Ok(i) = v.cast::<PyInt>() {
        return Ok(match i.extract::<i64>() {
            Ok(n) => Json::Int(n),
            Err(_) => Json::BigInt(i.str()?.to_str()?.to_string()),
        });
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok(Json::Float(f.value()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut m = Vec::with_capacity(d.len());
        for (k, val) in d.iter() {
            let k = k
                .cast::<PyString>()
                .map_err(|_| validation(py, "object keys must be str"))?;
            m.push((py_str(k)?.to_string(), to_json(&val, depth + 1)?));
        }
        return Ok(Json::Obj(m));
    }
    if let Ok(l) = v.cast::<PyList>() {
        let mut a = Vec::with_capacity(l.len());
        for x in l.iter() {
            a.push(to_json(&x, depth + 1)?);
        }
        return Ok(Json::Arr(a));
    }
    if let Ok(t) = v.cast::<PyTuple>() {
        let mut a = Vec::with_capacity(t.len());
        for x in t.iter() {
            a.push(to_json(&x, depth + 1)?);
        }
        return Ok(Json::Arr(a));
    }
    if let Ok(c) = v.cast::<crate::tokens::PyClaims>() {
        return Ok(c.get().inner.to_json());
    }
    let tname = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    Err(validation(
        py,
        format!("a value of type {tname} cannot be converted to JSON"),
    ))
}

/// The core `Json` value as a Python value (objects become dicts in member order).
pub fn json_to_py<'py>(py: Python<'py>, v: &Json) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Json::Null => py.None().into_bound(py),
        Json::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Json::Int(i) => i.into_pyobject(py)?.into_any(),
        Json::BigInt(s) => py.get_type::<PyInt>().call1((s.as_str(),))?,
        Json::Float(f) => PyFloat::new(py, *f).into_any(),
        Json::Str(s) => PyString::new(py, s).into_any(),
        Json::Arr(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(json_to_py(py, x)?)?;
            }
            l.into_any()
        }
        Json::Obj(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A `str` argument as UTF-8 (`VALIDATION_ERROR` for lone surrogates).
#[inline]
pub fn py_str<'a>(s: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    s.to_str().map_err(|_| {
        validation(
            s.py(),
            "the string holds lone surrogates (not valid Unicode)",
        )
    })
}

/// A required `str` argument (`VALIDATION_ERROR` for another type).
#[inline]
pub fn arg_str<'a>(v: &'a Bound<'_, PyAny>, what: &str) -> PyResult<&'a str> {
    match v.cast::<PyString>() {
        Ok(s) => py_str(s),
        Err(_) => Err(validation(v.py(), format!("{what} must be a str"))),
    }
}

/// An optional `str` argument (`None` → None).
pub fn arg_opt_str<'a>(v: Option<&'a Bound<'_, PyAny>>, what: &str) -> PyResult<Option<&'a str>> {
    match v {
        None => Ok(None),
        Some(x) if x.is_none() => Ok(None),
        Some(x) => arg_str(x, what).map(Some),
    }
}

/// A list of `str` (any iterable except a bare `str`/`bytes`; `None` → empty).
pub fn arg_str_list(v: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<String>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let py = v.py();
    if v.is_none() {
        return Ok(Vec::new());
    }
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyBytes>() {
        return Err(validation(
            py,
            format!("{what} must be a list of str, not a single string"),
        ));
    }
    let it = v
        .try_iter()
        .map_err(|_| validation(py, format!("{what} must be a list of str")))?;
    let mut out = Vec::new();
    for x in it {
        let x = x.map_err(|_| validation(py, format!("{what} must be a list of str")))?;
        out.push(arg_str(&x, what)?.to_string());
    }
    Ok(out)
}

/// Token bytes: a `str` (UTF-8; lone surrogates pass through as `surrogatepass` bytes, which the
/// core rejects as malformed) or `bytes`.
pub fn token_bytes<'a>(v: &'a Bound<'_, PyAny>) -> PyResult<std::borrow::Cow<'a, [u8]>> {
    if let Ok(s) = v.cast::<PyString>() {
        return match s.to_str() {
            Ok(t) => Ok(std::borrow::Cow::Borrowed(t.as_bytes())),
            Err(_) => {
                let b = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
                Ok(std::borrow::Cow::Owned(
                    b.cast::<PyBytes>()?.as_bytes().to_vec(),
                ))
            }
        };
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(std::borrow::Cow::Borrowed(b.as_bytes()));
    }
    Err(validation(v.py(), "the token must be a str or bytes"))
}

/// An optional `bool` argument (`None` → false; other types → `VALIDATION_ERROR`).
pub fn arg_bool(v: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<bool> {
    match v {
        None => Ok(false),
        Some(x) if x.is_none() => Ok(false),
        Some(x) => x
            .cast::<PyBool>()
            .map(|b| b.is_true())
            .map_err(|_| validation(x.py(), format!("{what} must be a bool"))),
    }
}
