//! Just enough of a POSIX shell reader to find, in a hook's `sh -c` script, which programs run
//! and where their standard output is redirected. It is honest rather than complete: a word
//! keeps how much of it is literal text (everything before the first expansion), and a script
//! it cannot follow (an unterminated quote, a here-document) is `None`, never a guess.

/// One shell word with quotes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Byte length of the literal prefix: text from here on comes from an expansion
    /// (`$VAR`, `$(...)`, a backquote, an unquoted glob or `~`) and is unknown.
    pub literal: usize,
}

impl Word {
    pub fn literal(text: &str) -> Self {
        Word {
            text: text.to_owned(),
            literal: text.len(),
        }
    }

    /// The whole word is known text.
    pub fn known(&self) -> Option<&str> {
        (self.literal == self.text.len()).then_some(self.text.as_str())
    }

    pub fn prefix(&self) -> &str {
        &self.text[..self.literal]
    }
}

/// A redirect of standard output to a file (`>`, `>>`, `>|`, `1>`, `&>`, `&>>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub target: Word,
}

/// A simple command: its words (assignments and the program included) and its stdout
/// redirects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Simple {
    pub words: Vec<Word>,
    pub stdout: Vec<Redirect>,
}

/// Commands joined by `|`: the output of each goes to the next.
pub type Pipeline = Vec<Simple>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(Word),
    /// `;`, `&&`, `||`, `&`, newline, `(`, `)`: end the pipeline.
    Sep,
    Pipe,
    /// A redirect operator; `true` when it sends stdout to a file.
    Redir(bool),
}

/// The pipelines of a script, in order; `None` when the script is beyond this reader.
pub fn parse(script: &str) -> Option<Vec<Pipeline>> {
    let tokens = tokenize(script)?;
    let mut out: Vec<Pipeline> = Vec::new();
    let mut pipeline: Pipeline = Vec::new();
    let mut cmd = Simple::default();
    let mut tokens = tokens.into_iter();
    while let Some(t) = tokens.next() {
        match t {
            Token::Word(w) => cmd.words.push(w),
            Token::Redir(to_stdout) => {
                let Some(Token::Word(target)) = tokens.next() else {
                    return None;
                };
                if to_stdout {
                    cmd.stdout.push(Redirect { target });
                }
            }
            Token::Pipe => pipeline.push(std::mem::take(&mut cmd)),
            Token::Sep => {
                pipeline.push(std::mem::take(&mut cmd));
                out.push(std::mem::take(&mut pipeline));
            }
        }
    }
    pipeline.push(cmd);
    out.push(pipeline);
    for p in &mut out {
        p.retain(|c| !c.words.is_empty() || !c.stdout.is_empty());
    }
    out.retain(|p| !p.is_empty());
    Some(out)
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case", "esac", "!", "{", "}",
];

/// The program of a simple command: its first word after variable assignments, reserved words
/// and wrappers that run another program (`env`, `exec`, `timeout 300`, `gosu user`).
pub fn program(cmd: &Simple) -> Option<(usize, &Word)> {
    let mut skip_args = 0;
    for (i, w) in cmd.words.iter().enumerate() {
        let text = w.prefix();
        if skip_args > 0 {
            skip_args -= 1;
            continue;
        }
        if w.known().is_some_and(|t| RESERVED.contains(&t)) || is_assignment(text) {
            continue;
        }
        let name = basename(w.known()?);
        match name {
            "env" | "exec" | "command" | "nice" | "nohup" | "time" | "sudo" => continue,
            "timeout" | "gosu" | "su-exec" => {
                skip_args = 1;
                continue;
            }
            _ if name.starts_with('-') && i > 0 => continue,
            _ => return Some((i, w)),
        }
    }
    None
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

pub fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

struct Lexer<'s> {
    chars: std::iter::Peekable<std::str::Chars<'s>>,
    tokens: Vec<Token>,
    word: Option<Word>,
}

impl Lexer<'_> {
    fn word(&mut self) -> &mut Word {
        self.word.get_or_insert_with(|| Word {
            text: String::new(),
            literal: usize::MAX,
        })
    }

    fn push_literal(&mut self, c: char) {
        self.word().text.push(c);
    }

    /// Text from an expansion: the literal prefix ends where it starts.
    fn push_expanded(&mut self, s: &str) {
        let w = self.word();
        w.literal = w.literal.min(w.text.len());
        w.text.push_str(s);
    }

    fn end_word(&mut self) {
        if let Some(mut w) = self.word.take() {
            w.literal = w.literal.min(w.text.len());
            self.tokens.push(Token::Word(w));
        }
    }

    fn op(&mut self, t: Token) {
        self.end_word();
        self.tokens.push(t);
    }
}

fn tokenize(script: &str) -> Option<Vec<Token>> {
    let mut lx = Lexer {
        chars: script.chars().peekable(),
        tokens: Vec::new(),
        word: None,
    };
    while let Some(c) = lx.chars.next() {
        match c {
            ' ' | '\t' => lx.end_word(),
            '\n' | ';' | '(' | ')' => lx.op(Token::Sep),
            '#' if lx.word.is_none() => while lx.chars.next_if(|c| *c != '\n').is_some() {},
            '\\' => match lx.chars.next() {
                Some('\n') => {}
                Some(c) => lx.push_literal(c),
                None => return None,
            },
            '\'' => loop {
                match lx.chars.next()? {
                    '\'' => {
                        lx.word();
                        break;
                    }
                    c => lx.push_literal(c),
                }
            },
            '"' => double_quoted(&mut lx)?,
            '$' => {
                let s = expansion(&mut lx.chars)?;
                lx.push_expanded(&s);
            }
            '`' => {
                let s = backquoted(&mut lx.chars)?;
                lx.push_expanded(&s);
            }
            '*' | '?' | '[' => lx.push_expanded(&c.to_string()),
            '~' if lx.word.is_none() => lx.push_expanded("~"),
            '|' => {
                let t = if lx.chars.next_if_eq(&'|').is_some() {
                    Token::Sep
                } else {
                    Token::Pipe
                };
                lx.op(t);
            }
            '&' => {
                if lx.chars.next_if_eq(&'>').is_some() {
                    lx.chars.next_if_eq(&'>');
                    lx.op(Token::Redir(true));
                } else {
                    lx.chars.next_if_eq(&'&');
                    lx.op(Token::Sep);
                }
            }
            '>' | '<' => redirect(&mut lx, c)?,
            c => lx.push_literal(c),
        }
    }
    lx.end_word();
    Some(lx.tokens)
}

/// A redirect operator; a word of digits just before it is its file descriptor.
fn redirect(lx: &mut Lexer, c: char) -> Option<()> {
    let fd = match &lx.word {
        // The word is still open: its literal mark is not yet capped at its length.
        Some(w) if !w.text.is_empty() && w.literal >= w.text.len() && w.text.bytes().all(|b| b.is_ascii_digit()) => {
            let fd = w.text.clone();
            lx.word = None;
            Some(fd)
        }
        _ => None,
    };
    if c == '<' {
        if lx.chars.next_if_eq(&'<').is_some() {
            // A here-document's body follows on later lines: beyond this reader.
            return None;
        }
        lx.chars.next_if(|c| matches!(c, '>' | '&'));
        lx.op(Token::Redir(false));
        return Some(());
    }
    lx.chars.next_if(|c| matches!(c, '>' | '|'));
    if lx.chars.next_if_eq(&'&').is_some() {
        // `>&2`, `2>&1`: duplicates a descriptor; its "target" is a number, not a file.
        lx.op(Token::Redir(false));
        return Some(());
    }
    let stdout = fd.as_deref().is_none_or(|f| f == "1");
    lx.op(Token::Redir(stdout));
    Some(())
}

fn double_quoted(lx: &mut Lexer) -> Option<()> {
    lx.word();
    loop {
        match lx.chars.next()? {
            '"' => return Some(()),
            '\\' => match lx.chars.next()? {
                c @ ('"' | '\\' | '$' | '`') => lx.push_literal(c),
                '\n' => {}
                c => {
                    lx.push_literal('\\');
                    lx.push_literal(c);
                }
            },
            '$' => {
                let s = expansion(&mut lx.chars)?;
                lx.push_expanded(&s);
            }
            '`' => {
                let s = backquoted(&mut lx.chars)?;
                lx.push_expanded(&s);
            }
            c => lx.push_literal(c),
        }
    }
}

type Chars<'s> = std::iter::Peekable<std::str::Chars<'s>>;

/// After a `$`: the expansion's text, up to its matching close for `$(...)` and `${...}`.
fn expansion(chars: &mut Chars) -> Option<String> {
    let mut s = String::from("$");
    match chars.peek() {
        Some('(') => s.push_str(&balanced(chars, '(', ')')?),
        Some('{') => s.push_str(&balanced(chars, '{', '}')?),
        Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
            while let Some(c) = chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_') {
                s.push(c);
            }
        }
        Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(*c) => s.extend(chars.next()),
        // A lone `$` is a literal dollar sign, but still not a path we can trust.
        _ => {}
    }
    Some(s)
}

/// A bracketed run starting at `open`, with nesting and quotes; `None` when unterminated.
fn balanced(chars: &mut Chars, open: char, close: char) -> Option<String> {
    let mut s = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    loop {
        let c = chars.next()?;
        s.push(c);
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, c) if c == open => depth += 1,
            (None, c) if c == close => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(s);
                }
            }
            _ => {}
        }
    }
}

fn backquoted(chars: &mut Chars) -> Option<String> {
    let mut s = String::from("`");
    loop {
        let c = chars.next()?;
        s.push(c);
        match c {
            '`' => return Some(s),
            '\\' => s.extend(chars.next()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(cmd: &Simple) -> Vec<&str> {
        cmd.words.iter().map(|w| w.text.as_str()).collect()
    }

    fn targets(p: &Pipeline) -> Vec<&str> {
        p.iter()
            .flat_map(|c| c.stdout.iter().map(|r| r.target.text.as_str()))
            .collect()
    }

    #[test]
    fn the_replicated_export_pattern() {
        let s = "PGPASSWORD=$POSTGRES_PASSWORD pg_dump -U username -d dbname -h 127.0.0.1 > /scratch/backup.sql";
        let p = parse(s).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(targets(&p[0]), ["/scratch/backup.sql"]);
        let (i, prog) = program(&p[0][0]).unwrap();
        assert_eq!((i, prog.text.as_str()), (1, "pg_dump"));
        assert_eq!(p[0][0].words[0].prefix(), "PGPASSWORD=");
    }

    #[test]
    fn separators_pipes_and_descriptors() {
        let p =
            parse("set -e; mysqldump --all-databases 2>/tmp/err | gzip -c >> \"/backup/all.sql.gz\" && echo ok >&2")
                .unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(words(&p[0][0]), ["set", "-e"]);
        assert_eq!(p[1].len(), 2);
        assert_eq!(targets(&p[1]), ["/backup/all.sql.gz"]);
        assert_eq!(targets(&p[2]), Vec::<&str>::new());
        let p = parse("a 1>/x/out &>/y/all").unwrap();
        assert_eq!(targets(&p[0]), ["/x/out", "/y/all"]);
    }

    #[test]
    fn expansions_end_the_literal_prefix() {
        let p = parse(r#"pg_dump > "/scratch/db-$(date +%F).sql"; x > $DIR/a; y > '/q/$x'"#).unwrap();
        let t = &p[0][0].stdout[0].target;
        assert_eq!(t.prefix(), "/scratch/db-");
        assert!(t.known().is_none());
        assert_eq!(p[1][0].stdout[0].target.prefix(), "");
        assert_eq!(p[2][0].stdout[0].target.known(), Some("/q/$x"));
        let p = parse("tar -czf /backup/files-`date`.tgz /data/*").unwrap();
        assert_eq!(p[0][0].words[2].prefix(), "/backup/files-");
        assert_eq!(p[0][0].words[3].prefix(), "/data/");
    }

    #[test]
    fn what_it_will_not_guess() {
        assert_eq!(parse("echo 'unterminated"), None);
        assert_eq!(parse("psql <<EOF\nselect 1;\nEOF"), None);
        assert_eq!(parse("echo $(unclosed"), None);
        assert_eq!(parse("x >"), None);
    }

    #[test]
    fn comments_and_reserved_words() {
        let p = parse("# dump it\nuntil pg_isready; do sleep 2; done\nexec timeout 300 psql -f /x").unwrap();
        let programs: Vec<&str> = p
            .iter()
            .flat_map(|p| p.iter().filter_map(|c| program(c).map(|(_, w)| w.text.as_str())))
            .collect();
        assert_eq!(programs, ["pg_isready", "sleep", "psql"]);
    }
}
