//! The SageMaker target's own tree: what the definition holds, in the order it is
//! written. Maps are lists of entries (no hashing, no reordering), strings are moved in
//! from the requests rather than copied, and the tree serializes straight to the
//! definition's JSON: it is lowered once, checked, then written.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value as Json;

/// A value of the definition.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Val>),
    Map(Vec<(Cow<'static, str>, Val)>),
    /// A value built as JSON (parameters, dataset definitions, policies).
    Json(Json),
}

impl Val {
    pub fn map(entries: Vec<(&'static str, Val)>) -> Val {
        Val::Map(entries.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
    }

    /// `{"Get": path}`: a parameter, the execution id or a step's property.
    pub fn get(path: String) -> Val {
        Val::map(vec![("Get", Val::Str(path))])
    }

    /// The entry `key` of a map.
    pub fn field(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Val::Bool(_) | Val::Int(_) | Val::Str(_) | Val::List(_) | Val::Json(_) => None,
        }
    }

    /// The entry `key` of a map, to change it.
    pub fn field_mut(&mut self, key: &str) -> Option<&mut Val> {
        match self {
            Val::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            Val::Bool(_) | Val::Int(_) | Val::Str(_) | Val::List(_) | Val::Json(_) => None,
        }
    }

    /// Sets `key` of a map in place, or adds it at the end.
    pub fn set(&mut self, key: &'static str, value: Val) {
        if let Val::Map(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some((_, slot)) => *slot = value,
                None => entries.push((Cow::Borrowed(key), value)),
            }
        }
    }

    /// Removes `key` from a map.
    pub fn remove(&mut self, key: &str) {
        if let Val::Map(entries) = self {
            entries.retain(|(k, _)| k != key);
        }
    }

    /// The same value as JSON, for the parts built as JSON around it.
    pub fn into_json(self) -> Json {
        match self {
            Val::Bool(b) => Json::Bool(b),
            Val::Int(i) => Json::from(i),
            Val::Str(s) => Json::String(s),
            Val::List(items) => Json::Array(items.into_iter().map(Val::into_json).collect()),
            Val::Map(entries) => {
                Json::Object(entries.into_iter().map(|(k, v)| (k.into_owned(), v.into_json())).collect())
            }
            Val::Json(json) => json,
        }
    }

    /// A lower bound of the value's compact JSON length, without writing it: quotes,
    /// keys and string bytes (escapes only add to it).
    pub fn min_len(&self) -> usize {
        match self {
            Val::Bool(_) | Val::Int(_) => 1,
            Val::Str(s) => s.len() + 2,
            Val::List(items) => 2 + items.iter().map(Val::min_len).sum::<usize>(),
            Val::Map(entries) => 2 + entries.iter().map(|(k, v)| k.len() + 3 + v.min_len()).sum::<usize>(),
            Val::Json(json) => crate::targets::size::json_min_len(json),
        }
    }
}

impl Serialize for Val {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Bool(b) => serializer.serialize_bool(*b),
            Val::Int(i) => serializer.serialize_i64(*i),
            Val::Str(s) => serializer.serialize_str(s),
            Val::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Val::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key.as_ref(), value)?;
                }
                map.end()
            }
            Val::Json(json) => json.serialize(serializer),
        }
    }
}
