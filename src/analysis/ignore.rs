//! Ignore rules: benign long-lived goroutines (built in, from
//! `report-templates/ignore-builtin.txt`) and the user's known background
//! work (`--ignore FILE`).
//!
//! A rule is a glob (`*` any run of characters, `?` one character; every
//! other character literal, so `(*Server)` needs no escaping). A plain rule
//! matches the group's culprit function or its `created by` function; a rule
//! written `in:GLOB` matches any frame between the blocking mechanism and the
//! culprit. `#` starts a comment line; blank lines are skipped.
//!
//! The matcher is hand-written (about 20 lines, linear with backtracking on
//! the last `*`): function names are plain text, and a regex or globset
//! dependency would bring path-separator semantics that do not fit Go names.

/// The built-in rules.
pub const BUILTIN: &str = include_str!("../../report-templates/ignore-builtin.txt");

/// What a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The culprit function or the `created by` function.
    CulpritOrCreator,
    /// Any frame of the blocking chain (mechanism to culprit).
    InStack,
}

/// One parsed rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The line as written (trimmed).
    pub text: String,
    /// The glob.
    pub glob: String,
    /// What it matches.
    pub target: Target,
    /// From the built-in list.
    pub builtin: bool,
}

/// Parses rule lines (comments and blank lines skipped).
pub fn parse_rules<'a>(lines: impl IntoIterator<Item = &'a str>, builtin: bool) -> Vec<Rule> {
    lines
        .into_iter()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (target, glob) = match l.strip_prefix("in:") {
                Some(rest) => (Target::InStack, rest.trim()),
                None => (Target::CulpritOrCreator, l),
            };
            Rule {
                text: l.to_string(),
                glob: glob.to_string(),
                target,
                builtin,
            }
        })
        .collect()
}

/// The built-in rules followed by the user's.
pub fn all_rules(user: &[String]) -> Vec<Rule> {
    let mut rules = parse_rules(BUILTIN.lines(), true);
    rules.extend(parse_rules(user.iter().map(String::as_str), false));
    rules
}

/// Glob match over the whole text: `*` matches any run (including none),
/// `?` exactly one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// What a group offers to the rules.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// Culprit function.
    pub culprit: &'a str,
    /// `created by` function, if known.
    pub created_by: Option<&'a str>,
    /// Frames from the leaf up to and including the culprit.
    pub chain: &'a [&'a str],
}

/// The index of the first rule that matches, if any.
pub fn first_match(rules: &[Rule], subject: &Subject<'_>) -> Option<usize> {
    rules.iter().position(|r| match r.target {
        Target::CulpritOrCreator => {
            glob_match(&r.glob, subject.culprit)
                || subject.created_by.is_some_and(|c| glob_match(&r.glob, c))
        }
        Target::InStack => subject.chain.iter().any(|f| glob_match(&r.glob, f)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("runtime.*", "runtime.bgsweep"));
        assert!(!glob_match("runtime.*", "runtime/pprof.x"));
        assert!(glob_match(
            "net/http.(*Server).Serve",
            "net/http.(*Server).Serve"
        ));
        assert!(!glob_match(
            "net/http.(*Server).Serve",
            "net/http.(*Server).ServeTLS"
        ));
        assert!(glob_match(
            "*.flushDaemon",
            "k8s.io/klog.(*loggingT).flushDaemon"
        ));
        assert!(glob_match("main.work?r", "main.worker"));
        assert!(!glob_match("main.work?r", "main.workr"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYbc"));
        assert!(!glob_match("a*b*c", "aXXbYYb"));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "x"));
    }

    #[test]
    fn parse_and_match() {
        let user = vec![
            "# background jobs".to_string(),
            "".to_string(),
            "  main.(*Syncer).loop  ".to_string(),
            "in:github.com/acme/bus.(*Client).recv".to_string(),
        ];
        let rules = all_rules(&user);
        assert!(rules.iter().any(|r| r.builtin && r.glob == "runtime.*"));
        let user_rules: Vec<&Rule> = rules.iter().filter(|r| !r.builtin).collect();
        assert_eq!(user_rules.len(), 2);
        assert_eq!(user_rules[0].glob, "main.(*Syncer).loop");
        assert_eq!(user_rules[1].target, Target::InStack);

        let chain = ["net/http.(*Server).Serve", "main.main"];
        let s = Subject {
            culprit: "main.main",
            created_by: None,
            chain: &chain,
        };
        let i = first_match(&rules, &s).expect("accept loop");
        assert_eq!(rules[i].glob, "net/http.(*Server).Serve");

        let s = Subject {
            culprit: "main.handle",
            created_by: Some("main.(*Syncer).loop"),
            chain: &["main.handle"],
        };
        let i = first_match(&rules, &s).expect("user rule by creator");
        assert!(!rules[i].builtin);

        // A request handler created by the HTTP server is NOT ignored.
        let s = Subject {
            culprit: "main.handler",
            created_by: Some("net/http.(*Server).Serve"),
            chain: &["main.handler"],
        };
        assert_eq!(first_match(&rules, &s), None);
        // Nor are client connection loops.
        let s = Subject {
            culprit: "net/http.(*persistConn).readLoop",
            created_by: Some("net/http.(*Transport).dialConn"),
            chain: &["net/http.(*persistConn).readLoop"],
        };
        assert_eq!(first_match(&rules, &s), None);
    }
}
