//! Files that are not dumps are described, never quoted: reports leave the
//! machine (attached to tickets, posted by CI), and a `.env` or a key lying
//! beside the dumps must not travel with them. Every output of `report` and
//! `inspect` is searched for the secrets planted in such files.

use crate::util::{gzip, leakscope, sample};
use std::path::Path;

/// Strings that must appear in no output.
const SECRETS: &[&str] = &[
    "hunter2",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
    "MIIEowIBAAKCAQEA",
    "s3cr3t-yaml",
    "tok_json_42",
    "binsecret",
    "gzsecret",
    "xoxb-slack",
    "countsecret",
    "tagsecret",
];

/// Writes the planted non-dump files into `dir`.
fn plant(dir: &Path) {
    let files: [(&str, Vec<u8>); 12] = [
        ("config.txt", b"DB_PASSWORD=hunter2\nDB_HOST=db.internal\n".to_vec()),
        (
            "aws-credentials",
            b"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n".to_vec(),
        ),
        (
            "server.key",
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890abcdef\n-----END RSA PRIVATE KEY-----\n".to_vec(),
        ),
        (".env", b"SECRET=hunter2\n".to_vec()),
        ("deploy.yaml", b"db:\n  user: app\n  password: s3cr3t-yaml\n".to_vec()),
        (
            "settings.json",
            b"{\"api_token\": \"tok_json_42\", \"password\": \"hunter2\"}".to_vec(),
        ),
        ("blob.bin", {
            let mut b = vec![0u8, 1, 2, 0xff, 0xfe];
            b.extend_from_slice(b"binsecret hunter2");
            b
        }),
        ("notes.txt.gz", gzip(b"token gzsecret for hunter2\n")),
        ("slack.log", b"2026-12-01 10:00:00 posting with xoxb-slack-hunter2\n".to_vec()),
        ("count.txt", b"countsecret profile: total 3\n3 @ 0x1\n".to_vec()),
        (
            "heap-odd.txt",
            b"heap profile: 1: 2 [3: 4] @ tagsecret/hunter2\n".to_vec(),
        ),
        (
            "error.txt",
            b"Unknown profile: hunter2 was not found on this server\n".to_vec(),
        ),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("plant");
    }
}

fn assert_clean(what: &str, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for s in SECRETS {
        assert!(!text.contains(s), "{what} quotes `{s}`:\n{text}");
    }
}

#[test]
fn no_output_quotes_a_file_that_is_not_a_dump() {
    let input = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(sample("chan-send-leak")).expect("sample") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, input.path().join(p.file_name().expect("name"))).expect("copy");
    }
    plant(input.path());
    let out = tempfile::tempdir().expect("tempdir");
    let o = leakscope()
        .arg("report")
        .arg(input.path())
        .arg("-o")
        .arg(out.path().join("r.html"))
        .arg("--json")
        .arg(out.path().join("r.json"))
        .arg("--markdown")
        .arg(out.path().join("r.md"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_clean("report stdout", &o.stdout);
    assert_clean("report stderr", &o.stderr);
    for f in ["r.html", "r.json", "r.md"] {
        let bytes = std::fs::read(out.path().join(f)).expect("output");
        assert_clean(f, &bytes);
    }
    // The skips are listed, with a description instead of a quote.
    let json = crate::util::read_json(&out.path().join("r.json"));
    let reasons = json["skipped"].to_string();
    for kind in ["KEY=VALUE", "PEM", "YAML", "JSON", "binary", "log"] {
        assert!(reasons.contains(kind), "no `{kind}` guess in {reasons}");
    }

    for args in [&[][..], &["--json", "-"][..]] {
        let o = leakscope()
            .arg("inspect")
            .arg(input.path())
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(0));
        assert_clean("inspect stdout", &o.stdout);
        assert_clean("inspect stderr", &o.stderr);
    }

    // Only secrets, no dump: the skip list goes to stderr, still clean.
    let only = tempfile::tempdir().expect("tempdir");
    plant(only.path());
    let o = leakscope()
        .arg("report")
        .arg(only.path())
        .arg("-o")
        .arg(out.path().join("none.html"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("config.txt"), "{err}");
    assert_clean("no-dump stderr", &o.stderr);
    assert_clean("no-dump stdout", &o.stdout);
}
