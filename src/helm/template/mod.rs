//! Go `text/template` as Helm runs it: every file of a chart tree parsed into one set of
//! named templates (`define`s shared, a later non-empty definition replacing an earlier one),
//! executed with `missingkey=zero` and Helm's `include`/`tpl`. `lex` -> `parse` -> `exec`.
//!
//! Output keeps provenance: each piece of rendered text knows the template and byte span that
//! wrote it (a text node its own span, an action the action's span).

mod exec;
mod lex;
mod parse;

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

pub use exec::Limits;
use parse::Node;

use super::value::Value;

/// A template error at a byte offset of the template that raised it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub pos: usize,
    pub message: String,
    /// The template (file path) it happened in; set once the error leaves the file.
    pub template: Option<Rc<str>>,
    /// A value the engine must not decide on (a KOTS template string) was needed.
    pub unknown: bool,
}

impl Error {
    pub fn at(pos: usize, message: impl Into<String>) -> Self {
        Error {
            pos,
            message: message.into(),
            template: None,
            unknown: false,
        }
    }

    pub fn unknown(pos: usize, message: impl Into<String>) -> Self {
        Error {
            unknown: true,
            ..Error::at(pos, message)
        }
    }

    fn in_template(mut self, name: &Rc<str>) -> Self {
        self.template.get_or_insert_with(|| name.clone());
        self
    }
}

/// Where a piece of output came from: a file of the set and a byte span in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub span: Range<usize>,
    /// The output is the span's own text (a text node), not a value an action computed.
    pub verbatim: bool,
}

/// Rendered text and, in order, the output offsets where each origin starts.
#[derive(Debug, Default, Clone)]
pub struct Output {
    pub text: String,
    pub origins: Vec<(usize, Origin)>,
}

/// What Go prints for a nil value; Helm removes it from each template's output and from `tpl`'s,
/// but an `include` returns it (a checksum of an included file covers it).
pub const NO_VALUE: &str = "<no value>";

impl Output {
    /// Append `from`'s bytes in `range`, each keeping the template span that wrote it.
    pub fn append_range(&mut self, from: &Output, range: Range<usize>) {
        if let Some(text) = from.text.get(range.clone()) {
            self.append(text, from, range);
        }
    }

    /// Append `text` standing for `range` of `from`: it takes the pieces of that range, a
    /// verbatim piece cut at the range's start still pointing at its own bytes.
    pub fn append(&mut self, text: &str, from: &Output, range: Range<usize>) {
        if text.is_empty() {
            return;
        }
        let at = self.text.len();
        let first = from
            .origins
            .partition_point(|(start, _)| *start <= range.start)
            .saturating_sub(1);
        let pieces = from.origins[first..].iter().take_while(|(s, _)| *s < range.end);
        for (start, origin) in pieces {
            let mut origin = origin.clone();
            if origin.verbatim {
                origin.span.start = (origin.span.start + range.start.saturating_sub(*start)).min(origin.span.end);
            }
            self.push_origin(at + start.saturating_sub(range.start), origin);
        }
        self.text.push_str(text);
    }

    /// Add a piece unless it only continues the verbatim piece before it.
    fn push_origin(&mut self, at: usize, origin: Origin) {
        let continues = self.origins.last().is_some_and(|(prev_at, prev)| {
            prev.verbatim
                && origin.verbatim
                && prev.file == origin.file
                && prev.span.end == origin.span.end
                && prev.span.start + (at - prev_at) == origin.span.start
        });
        if !continues {
            self.origins.push((at, origin));
        }
    }

    /// The output with every `needle` removed (Go's `strings.ReplaceAll(s, needle, "")`).
    pub fn without(self, needle: &str) -> Output {
        if !self.text.contains(needle) {
            return self;
        }
        let mut out = Output::default();
        let mut from = 0;
        for (at, _) in self.text.match_indices(needle) {
            out.append_range(&self, from..at);
            from = at + needle.len();
        }
        out.append_range(&self, from..self.text.len());
        out
    }

    /// The origin of the output byte at `offset`.
    #[cfg(test)]
    pub fn origin_at(&self, offset: usize) -> Option<&Origin> {
        let i = self.origins.partition_point(|(start, _)| *start <= offset);
        self.origins.get(i.checked_sub(1)?).map(|(_, o)| o)
    }
}

#[derive(Debug)]
struct File {
    name: Rc<str>,
    src: Rc<str>,
}

#[derive(Debug, Clone)]
struct Template {
    file: usize,
    body: Rc<Vec<Node>>,
}

/// All templates of one render.
#[derive(Debug, Default)]
pub struct Set {
    files: Vec<File>,
    templates: HashMap<Rc<str>, Template>,
}

impl Set {
    pub fn new() -> Set {
        Set::default()
    }

    /// Parse a file into the set: it becomes a template named `name`, and its `define`s join
    /// the set. On a parse error nothing of the file is added.
    pub fn add(&mut self, name: &str, src: &str) -> Result<(), Error> {
        let name: Rc<str> = Rc::from(name);
        let parsed = parse::parse(src).map_err(|e| e.in_template(&name))?;
        let file = self.files.len();
        self.files.push(File {
            name: name.clone(),
            src: Rc::from(src),
        });
        self.associate(name, file, parsed.body);
        for (define, body) in parsed.defines {
            self.associate(define, file, body);
        }
        Ok(())
    }

    /// Go's `associate`: an empty definition never replaces an existing one.
    fn associate(&mut self, name: Rc<str>, file: usize, body: Vec<Node>) {
        let src = &self.files[file].src;
        let empty = body
            .iter()
            .all(|n| matches!(n, Node::Text(r) if src[r.clone()].trim().is_empty()));
        if empty && self.templates.contains_key(&name) {
            return;
        }
        self.templates.insert(
            name,
            Template {
                file,
                body: Rc::new(body),
            },
        );
    }

    /// Execute the template `name` with `dot` as both `.` and `$`, as Helm's engine renders a
    /// file: Go's `<no value>` removed from the output.
    pub fn execute(&self, name: &str, dot: Value, limits: &Limits) -> Result<Output, Error> {
        exec::Exec::new(self, limits)
            .run(name, dot)
            .map(|o| o.without(NO_VALUE))
    }

    /// Every file's name and source, in file-index order (shared, not copied).
    pub fn sources(&self) -> impl Iterator<Item = (Rc<str>, Rc<str>)> + '_ {
        self.files.iter().map(|f| (f.name.clone(), f.src.clone()))
    }

    #[cfg(test)]
    pub fn file_name(&self, file: usize) -> &str {
        self.files.get(file).map_or("", |f| &f.name)
    }

    /// The source text of a file by template name (for line numbers in errors).
    pub fn src_of(&self, name: &str) -> Option<&str> {
        self.files.iter().find(|f| &*f.name == name).map(|f| &*f.src)
    }
}

/// 1-based line of a byte offset.
pub fn line_of(src: &str, pos: usize) -> usize {
    src.as_bytes()[..pos.min(src.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
