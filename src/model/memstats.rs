//! `runtime.MemStats` as found in text heap profiles and expvar JSON.

use std::collections::BTreeMap;

/// One MemStats value, kept with its type so nothing is lost.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum MemValue {
    /// An unsigned integer (bytes, counts, Unix nanoseconds).
    U64(u64),
    /// A float (`GCCPUFraction`).
    F64(f64),
    /// A boolean (`DebugGC`, `EnableGC`).
    Bool(bool),
    /// A list of integers (`PauseNs`, `PauseEnd`).
    List(Vec<u64>),
    /// Anything else, verbatim (`BySize` as JSON text, unknown shapes).
    Text(String),
}

/// All MemStats fields of one snapshot, keyed by the Go field name.
///
/// Text profiles print some pairs on one line (`# Stack = 1 / 2`); parsers
/// split them into the Go field names (`StackInuse`, `StackSys`, likewise
/// `MSpanInuse`/`MSpanSys`, `MCacheInuse`/`MCacheSys`) so text and expvar agree.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MemStats {
    /// Field name → value.
    pub fields: BTreeMap<String, MemValue>,
}

impl MemStats {
    /// An integer field, if present and integral.
    pub fn u64(&self, key: &str) -> Option<u64> {
        match self.fields.get(key)? {
            MemValue::U64(v) => Some(*v),
            _ => None,
        }
    }

    /// Sets a field.
    pub fn set(&mut self, key: impl Into<String>, value: MemValue) {
        self.fields.insert(key.into(), value);
    }

    /// A lower bound for the capture time in Unix ns: `LastGC` and the
    /// newest `PauseEnd` entry (the snapshot was taken after both).
    pub fn time_lower_bound(&self) -> Option<i64> {
        let last_gc = self.u64("LastGC").filter(|&v| v > 0);
        let pause_end = match self.fields.get("PauseEnd") {
            Some(MemValue::List(v)) => v.iter().copied().max().filter(|&v| v > 0),
            _ => None,
        };
        last_gc
            .into_iter()
            .chain(pause_end)
            .max()
            .and_then(|v| i64::try_from(v).ok())
    }
}
