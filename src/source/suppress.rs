//! `# snaplint-ignore: ID[, ID]` (this line or the next) and `# snaplint-ignore-file: ID`.

use crate::yaml::Span;

#[derive(Debug, Clone)]
pub struct Suppression {
    /// 0-based line of the comment.
    pub line0: usize,
    pub file_wide: bool,
    /// Each ID (or rule name) with its byte span, so an unknown one can be pointed at.
    pub ids: Vec<(String, Span)>,
}

const LINE: &str = "snaplint-ignore:";
const FILE: &str = "snaplint-ignore-file:";

pub fn parse_suppressions(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    // Almost no file has one: skip the line-by-line scan then.
    if memchr::memmem::find(text.as_bytes(), b"snaplint-ignore").is_none() {
        return out;
    }
    let mut offset = 0;
    for (line0, line) in text.split_inclusive('\n').enumerate() {
        if let Some(s) = parse_line(line, offset, line0) {
            out.push(s);
        }
        offset += line.len();
    }
    out
}

fn parse_line(line: &str, offset: usize, line0: usize) -> Option<Suppression> {
    let hash = line.find('#')?;
    let comment = line[hash + 1..].trim_start();
    let comment_at = offset + line.len() - line[hash + 1..].len() + (line[hash + 1..].len() - comment.len());
    let (file_wide, rest, rest_at) = if let Some(r) = comment.strip_prefix(FILE) {
        (true, r, comment_at + FILE.len())
    } else if let Some(r) = comment.strip_prefix(LINE) {
        (false, r, comment_at + LINE.len())
    } else {
        return None;
    };
    let mut ids = Vec::new();
    let mut at = rest_at;
    for part in rest.trim_end_matches(['\n', '\r']).split(',') {
        let lead = part.len() - part.trim_start().len();
        let id = part.trim();
        if !id.is_empty() {
            ids.push((id.to_owned(), at + lead..at + lead + id.len()));
        }
        at += part.len() + 1;
    }
    Some(Suppression { line0, file_wide, ids })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_line_and_file_suppressions_with_spans() {
        let text = "a: 1 # snaplint-ignore: VOL001, HOOK002\n# snaplint-ignore-file: BKP001\n";
        let s = parse_suppressions(text);
        assert_eq!(s.len(), 2);
        assert!(!s[0].file_wide);
        assert_eq!(s[0].ids[1].0, "HOOK002");
        assert_eq!(&text[s[0].ids[1].1.clone()], "HOOK002");
        assert!(s[1].file_wide);
        assert_eq!(s[1].line0, 1);
    }
}
