//! Byte offset -> 1-based line and column (columns count characters, as editors and SARIF do).

/// Line starts as `u32`: parsed files are under 4 GiB (`SourceFile::from_text_limited`), and
/// a release holds one entry per line.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
}

fn to_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // Counted first so the index, kept as long as the release, is allocated once and exactly.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut starts = Vec::with_capacity(lines + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| to_u32(i + 1)));
        LineIndex { starts }
    }

    /// 0-based line number holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&to_u32(offset)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> usize {
        self.starts[line0.min(self.starts.len() - 1)] as usize
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line0 = self.line_of(offset);
        // A UTF-8 byte order mark is invisible in editors: columns on line 1 start after it.
        let start = match self.starts[line0] as usize {
            0 if text.starts_with('\u{feff}') && offset >= 3 => 3,
            s => s,
        };
        Position {
            line: line0 + 1,
            column: text[start..offset].chars().count() + 1,
        }
    }

    /// The text of 0-based `line0` without its line terminator.
    pub fn line_text<'t>(&self, text: &'t str, line0: usize) -> &'t str {
        let start = self.line_start(line0);
        let end = self.starts.get(line0 + 1).map_or(text.len(), |&s| s as usize);
        text[start..end].trim_end_matches(['\n', '\r'])
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a: 1\nnamé: x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x), Position { line: 2, column: 7 });
        assert_eq!(idx.line_text(text, 1), "namé: x");
    }

    #[test]
    fn byte_order_mark_takes_no_column() {
        let text = "\u{feff}a: 1\nb: 2\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 3), Position { line: 1, column: 1 });
        assert_eq!(
            idx.position(text, text.find('1').unwrap()),
            Position { line: 1, column: 4 }
        );
        assert_eq!(
            idx.position(text, text.find('b').unwrap()),
            Position { line: 2, column: 1 }
        );
    }
}
