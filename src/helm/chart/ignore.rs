//! `.helmignore` as Helm's `pkg/ignore` reads it: one Go `filepath.Match` pattern a line,
//! `#` comments, `!` negation, a trailing `/` for directories only, a leading `/` or any `/`
//! for a match against the whole path, otherwise against the base name. Rules are tried in
//! order and the first decisive one wins. `**` is refused, as in Helm.

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    negate: bool,
    must_dir: bool,
    /// Match the whole relative path, not only its base name.
    whole_path: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Parse a `.helmignore` (UTF-8 BOM allowed), then add Helm's default rule (dotfiles in
    /// `templates/`).
    pub fn parse(text: &str) -> Result<Rules, String> {
        let mut r = Rules::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.lines() {
            r.add(line)?;
        }
        Ok(r)
    }

    pub fn with_defaults(mut self) -> Rules {
        // A valid rule: cannot fail.
        let _ = self.add("templates/.?*");
        self
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        go_match(rule, "abc")?;
        let (negate, rest) = match rule.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, rule),
        };
        let (must_dir, rest) = match rest.strip_suffix('/') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let (whole_path, pattern) = match rest.strip_prefix('/') {
            Some(r) => (true, r),
            None => (rest.contains('/'), rest),
        };
        self.rules.push(Rule {
            pattern: pattern.to_owned(),
            negate,
            must_dir,
            whole_path,
        });
        Ok(())
    }

    /// Whether the path (relative to the chart, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for r in &self.rules {
            let name = if r.whole_path { path } else { base(path) };
            let matched = go_match(&r.pattern, name).unwrap_or(false);
            if r.negate {
                // Helm's quirk: a negated directory rule ignores every file.
                if (r.must_dir && !is_dir) || !matched {
                    return true;
                }
                continue;
            }
            if r.must_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Base` for `/`-separated relative paths.
fn base(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

const BAD_PATTERN: &str = "syntax error in pattern";

/// Go's `filepath.Match` on Unix: `*` any run of non-`/`, `?` one non-`/` character, `[...]`
/// classes (`^` negates, ranges, `\` escapes), `\` escapes. A malformed pattern is an error
/// even when the name fails to match earlier.
pub fn go_match(mut pattern: &str, mut name: &str) -> Result<bool, String> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains('/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            // Go retries after each byte; only character boundaries can match a valid chunk.
            let starts = name
                .char_indices()
                .take_while(|(_, c)| *c != '/')
                .map(|(i, c)| i + c.len_utf8());
            for next in starts {
                let (t, ok) = match_chunk(chunk, &name[next..]).unwrap_or(("", false));
                if ok && (t.is_empty() || !pattern.is_empty()) {
                    name = t;
                    continue 'pattern;
                }
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Leading stars, then everything up to the next star outside a class.
fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let star = pattern.starts_with('*');
    let pattern = pattern.trim_start_matches('*');
    let b = pattern.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Match one star-free chunk at the start of `s`: the rest of `s` and whether it matched.
/// Keeps checking the chunk's syntax after a failure, as Go does.
fn match_chunk<'s>(mut chunk: &str, mut s: &'s str) -> Result<(&'s str, bool), String> {
    let mut failed = false;
    while let Some(c) = chunk.chars().next() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            '[' => {
                let mut r = '\0';
                if !failed {
                    if let Some(ch) = s.chars().next() {
                        r = ch;
                        s = &s[ch.len_utf8()..];
                    }
                }
                chunk = &chunk[1..];
                let negated = chunk.starts_with('^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.starts_with(']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if let Some(rest) = chunk.strip_prefix('-') {
                        let (h, rest) = get_esc(rest)?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if s.starts_with('/') {
                        failed = true;
                    }
                    let n = s.chars().next().map_or(0, char::len_utf8);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                let lit = if c == '\\' {
                    chunk = &chunk[1..];
                    chunk.chars().next().ok_or(BAD_PATTERN)?
                } else {
                    c
                };
                if !failed {
                    // Go compares bytes; comparing the first character is the same for UTF-8.
                    if !s.starts_with(lit) {
                        failed = true;
                        s = &s[s.chars().next().map_or(0, char::len_utf8)..];
                    } else {
                        s = &s[lit.len_utf8()..];
                    }
                }
                chunk = &chunk[lit.len_utf8()..];
            }
        }
    }
    Ok(if failed { ("", false) } else { (s, true) })
}

/// One class character (`\` escapes it); it may not be `-` or `]`, nor end the pattern.
fn get_esc(chunk: &str) -> Result<(char, &str), String> {
    let mut chunk = chunk;
    if chunk.is_empty() || chunk.starts_with('-') || chunk.starts_with(']') {
        return Err(BAD_PATTERN.into());
    }
    if let Some(rest) = chunk.strip_prefix('\\') {
        chunk = rest;
    }
    let c = chunk.chars().next().ok_or(BAD_PATTERN)?;
    let rest = &chunk[c.len_utf8()..];
    if rest.is_empty() {
        return Err(BAD_PATTERN.into());
    }
    Ok((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_semantics() {
        let m = |p: &str, n: &str| go_match(p, n).unwrap();
        assert!(m("*.txt", "a.txt"));
        assert!(!m("*.txt", "d/a.txt"));
        assert!(m("d/*.txt", "d/a.txt"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "a/c"));
        assert!(m("[a-c]x", "bx"));
        assert!(m("[^a-c]x", "dx"));
        assert!(m("\\*", "*"));
        assert!(m("*", ""));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b", "a/b"));
        assert!(m("*é.txt", "ééé.txt"));
        assert!(m("*.txt", "日本.txt"));
        assert_eq!(go_match("[", "abc").unwrap_err(), BAD_PATTERN);
        assert_eq!(go_match("x[", "abc").unwrap_err(), BAD_PATTERN);
        assert_eq!(go_match("a\\", "a").unwrap_err(), BAD_PATTERN);
    }

    #[test]
    fn helmignore_rules() {
        let r = Rules::parse("# c\n*.tgz\n/top.txt\nci/\nsub/x.yaml\n")
            .unwrap()
            .with_defaults();
        assert!(r.ignore("a.tgz", false));
        assert!(r.ignore("charts/a.tgz", false));
        assert!(r.ignore("top.txt", false));
        assert!(!r.ignore("d/top.txt", false));
        assert!(r.ignore("ci", true));
        assert!(!r.ignore("ci", false));
        assert!(r.ignore("sub/x.yaml", false));
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/shown.yaml", false));
        assert!(!r.ignore("other.txt", false));
        // Helm's negation ignores whatever reaches it without matching (helm template with
        // `*.tgz` then `!other.txt` says "Chart.yaml file is missing").
        let neg = Rules::parse("*.tgz\n!other.txt\n").unwrap();
        assert!(neg.ignore("Chart.yaml", false));
        assert!(!neg.ignore("other.txt", false));
        assert_eq!(
            Rules::parse("a/**\n").unwrap_err(),
            "double-star (**) syntax is not supported"
        );
        assert_eq!(Rules::parse("[\n").unwrap_err(), BAD_PATTERN);
    }
}
