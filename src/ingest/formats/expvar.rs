//! expvar `/debug/vars` JSON (memstats, cmdline).
//!
//! Every `memstats` field is kept with its type. Integers are read as `u64`
//! by serde_json, so values above 2^53 (`LastGC`, `PauseEnd`) stay exact.

use super::textutil::{Lines, check_line, find, strip_bom};
use crate::ingest::error::SkipReason;
use crate::ingest::limits::Limits;
use crate::model::{Format, MemStats, MemValue, Parsed, ProfileKind, Snapshot, Tables};
use serde_json::Value;

/// How far into the text [`sniff`] looks for the `"memstats"` key.
const SNIFF_BYTES: usize = 1 << 20;

/// True when the start of the (BOM-stripped, decompressed) text has this
/// format's signature: a JSON object (`{` first) with a `"memstats"` key in
/// its first megabyte.
pub fn sniff(head: &[u8]) -> bool {
    let t = strip_bom(head).trim_ascii_start();
    t.starts_with(b"{") && find(&t[..t.len().min(SNIFF_BYTES)], b"\"memstats\"").is_some()
}

/// Parses the whole file. Tolerates `\r\n` line endings (JSON whitespace).
pub fn parse(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let text = strip_bom(text);
    for line in Lines::new(text) {
        check_line(line, limits)?;
    }
    let root: Value = serde_json::from_slice(text).map_err(|e| SkipReason::Malformed {
        format: "expvar JSON",
        detail: e.to_string(),
    })?;
    let Value::Object(root) = root else {
        return Err(SkipReason::NotAProfile("JSON but not an object".into()));
    };
    let Some(Value::Object(ms)) = root.get("memstats") else {
        return Err(SkipReason::NotAProfile(
            "JSON object without a `memstats` object".into(),
        ));
    };
    let mut memstats = MemStats::default();
    for (key, value) in ms {
        memstats.set(key.clone(), mem_value(value));
    }
    let mut snapshot = Snapshot::new(Format::Expvar, ProfileKind::MemStats);
    match root.get("cmdline") {
        Some(Value::Array(args)) => {
            let args: Vec<String> = args
                .iter()
                .map(|a| match a {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            snapshot.process.binary = args
                .first()
                .map(|a| binary_name(a))
                .filter(|b| !b.is_empty());
            snapshot.process.cmdline = Some(args);
        }
        Some(_) => snapshot
            .warnings
            .push("`cmdline` is not an array of strings; ignored".into()),
        None => {}
    }
    snapshot.memstats = Some(memstats);
    Ok(Parsed {
        snapshot,
        tables: Tables::new(),
    })
}

/// The file name of a program path (`/usr/bin/app` → `app`, `C:\x\app.exe`
/// → `app.exe`).
fn binary_name(arg0: &str) -> String {
    arg0.rsplit(['/', '\\']).next().unwrap_or(arg0).to_string()
}

/// One MemStats JSON value with its type kept.
fn mem_value(v: &Value) -> MemValue {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(u) => MemValue::U64(u),
            None => match n.as_f64() {
                Some(f) if n.is_f64() => MemValue::F64(f),
                _ => MemValue::Text(n.to_string()),
            },
        },
        Value::Bool(b) => MemValue::Bool(*b),
        Value::Array(items) => {
            let ints: Option<Vec<u64>> = items.iter().map(Value::as_u64).collect();
            match ints {
                Some(list) => MemValue::List(list),
                None => MemValue::Text(v.to_string()),
            }
        }
        Value::String(s) => MemValue::Text(s.clone()),
        Value::Null | Value::Object(_) => MemValue::Text(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARS: &str = r#"{
"cmdline": ["/srv/bin/leaky","-addr","127.0.0.1:16060"],
"memstats": {"Alloc":62301000,"TotalAlloc":78861520,"LastGC":1795000000000000001,"PauseNs":[34816,40448,0],"PauseEnd":[18446744073709551615,1795000000000000002],"GCCPUFraction":0.0010560703294537354,"EnableGC":true,"DebugGC":false,"NumGC":4,"BySize":[{"Size":0,"Mallocs":0,"Frees":0},{"Size":8,"Mallocs":12,"Frees":3}],"Weird":-3,"Zero":0.0},
"requests": 3
}
"#;

    #[test]
    fn memstats_keep_every_field_exactly() {
        assert!(sniff(VARS.as_bytes()));
        let p = parse(VARS.as_bytes(), &Limits::default()).unwrap();
        let s = &p.snapshot;
        assert_eq!((s.format, s.kind), (Format::Expvar, ProfileKind::MemStats));
        assert!(s.heap.is_none() && s.goroutines.is_none());
        assert!(s.warnings.is_empty());
        let ms = s.memstats.as_ref().unwrap();
        assert_eq!(ms.u64("Alloc"), Some(62301000));
        assert_eq!(ms.u64("LastGC"), Some(1795000000000000001));
        assert_eq!(
            ms.fields.get("PauseEnd"),
            Some(&MemValue::List(vec![u64::MAX, 1795000000000000002]))
        );
        assert_eq!(
            ms.fields.get("PauseNs"),
            Some(&MemValue::List(vec![34816, 40448, 0]))
        );
        assert_eq!(
            ms.fields.get("GCCPUFraction"),
            Some(&MemValue::F64(0.0010560703294537354))
        );
        assert_eq!(ms.fields.get("EnableGC"), Some(&MemValue::Bool(true)));
        assert_eq!(ms.fields.get("DebugGC"), Some(&MemValue::Bool(false)));
        assert_eq!(
            ms.fields.get("BySize"),
            Some(&MemValue::Text(
                r#"[{"Frees":0,"Mallocs":0,"Size":0},{"Frees":3,"Mallocs":12,"Size":8}]"#.into()
            ))
        );
        assert_eq!(ms.fields.get("Weird"), Some(&MemValue::Text("-3".into())));
        assert_eq!(ms.fields.get("Zero"), Some(&MemValue::F64(0.0)));
        assert_eq!(ms.fields.len(), 12);
        // u64::MAX in PauseEnd is beyond i64: the model then gives no bound.
        assert_eq!(ms.u64("NumGC"), Some(4));
        assert_eq!(s.process.binary.as_deref(), Some("leaky"));
        assert_eq!(
            s.process.cmdline.as_ref().unwrap(),
            &vec!["/srv/bin/leaky", "-addr", "127.0.0.1:16060"]
        );
    }

    #[test]
    fn crlf_bom_and_no_cmdline() {
        let t = "\u{feff}{\r\n\"memstats\": {\"Alloc\": 1}\r\n}\r\n";
        assert!(sniff(t.as_bytes()));
        let p = parse(t.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.snapshot.memstats.as_ref().unwrap().u64("Alloc"), Some(1));
        assert!(p.snapshot.process.cmdline.is_none());
        assert!(p.snapshot.process.binary.is_none());
        assert_eq!(binary_name(r"C:\svc\app.exe"), "app.exe");
    }

    #[test]
    fn rejections() {
        assert!(!sniff(b"{\"requests\": 3}"));
        assert!(!sniff(b"[\"memstats\"]"));
        assert!(matches!(
            parse(b"{\"memstats\": ", &Limits::default()),
            Err(SkipReason::Malformed { .. })
        ));
        assert!(matches!(
            parse(b"{\"memstats\": 3}", &Limits::default()),
            Err(SkipReason::NotAProfile(_))
        ));
        assert!(matches!(
            parse(b"[1]", &Limits::default()),
            Err(SkipReason::NotAProfile(_))
        ));
        let l = Limits {
            max_line_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            parse(VARS.as_bytes(), &l),
            Err(SkipReason::TooLarge { what: "line", .. })
        ));
        let p = parse(b"{\"cmdline\": 5, \"memstats\": {}}", &Limits::default()).unwrap();
        assert_eq!(p.snapshot.warnings.len(), 1);
    }
}
