//! Go's `print`, `println` and `printf` (`fmt.Sprint`, `fmt.Sprintln`, `fmt.Sprintf`), written
//! after Go's `fmt` rules: flags, width and precision (also `*` and `[n]` argument indexes),
//! verbs applied element by element inside lists and maps, and Go's in-band error strings
//! (`%!s(int64=1)`, `%!d(MISSING)`, `%!(EXTRA ...)`, `%!(BADWIDTH)`).
//!
//! Types print as `Value` models them: an integer is `int64`, where a Helm literal `1` is a Go
//! `int`, so `printf "%s" 1` gives `%!s(int64=1)` here and `%!s(int=1)` in Helm.
//!
//! Also the argument coercions Go's `text/template` applies before calling a function with
//! typed parameters, shared by the string, regex and encoding groups.

use super::{Func, Result};
use crate::helm::value::{Value, format_float};

pub(super) const FUNCS: &[(&str, Func)] = &[("print", print), ("println", println), ("printf", printf)];

/// Longest string a formatting function may build: a hostile width such as `%1000000d` in a
/// loop must not allocate gigabytes.
pub(super) const MAX_OUTPUT: usize = 8 << 20;

fn print(args: &[Value]) -> Result {
    sprint(args).map(Value::str)
}

fn println(args: &[Value]) -> Result {
    sprintln(args).map(Value::str)
}

fn printf(args: &[Value]) -> Result {
    let Some(format) = args.first() else {
        return Err("wrong number of args: want at least 1 got 0".into());
    };
    let format = want_str(format)?;
    sprintf(format, &args[1..]).map(Value::str)
}

// ---- argument coercions (text/template's, before a typed Go parameter) ----

/// A `string` parameter: Go converts nothing, so anything but a string is an error.
pub(super) fn want_str(v: &Value) -> std::result::Result<&str, String> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Nil | Value::NoValue => Err("invalid value; expected string".into()),
        other => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
    }
}

/// An `int` parameter. Go accepts only a Go `int` (a literal or `len`'s result) and rejects
/// int64 and float64; `Value` has one integer type, so every integer is accepted.
pub(super) fn want_int(v: &Value) -> std::result::Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Nil | Value::NoValue => Err("invalid value; expected int".into()),
        other => Err(format!("wrong type for value; expected int; got {}", other.type_name())),
    }
}

/// Exactly `n` string arguments.
pub(super) fn strs<const N: usize>(args: &[Value]) -> std::result::Result<[&str; N], String> {
    super::arity(args, N)?;
    let mut out = [""; N];
    for (slot, arg) in out.iter_mut().zip(args) {
        *slot = want_str(arg)?;
    }
    Ok(out)
}

// ---- Sprint / Sprintln ----

/// `fmt.Sprint`: a space between two operands when neither is a string.
pub(super) fn sprint(args: &[Value]) -> std::result::Result<String, String> {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::Str(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.f = Flags::default();
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.finish()
}

/// `fmt.Sprintln`: always spaces, and a newline at the end.
pub(super) fn sprintln(args: &[Value]) -> std::result::Result<String, String> {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.f = Flags::default();
        p.print_arg(arg, 'v');
    }
    p.buf.push('\n');
    p.finish()
}

/// `fmt.Sprintf`; the error is only for output past [`MAX_OUTPUT`].
pub(super) fn sprintf(format: &str, args: &[Value]) -> std::result::Result<String, String> {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.finish()
}

// ---- the printer ----

impl Printer {
    /// The text, or an error when it grew past [`MAX_OUTPUT`]: never a silently cut string.
    fn finish(self) -> std::result::Result<String, String> {
        if self.overflow {
            Err(format!("output longer than {MAX_OUTPUT} bytes"))
        } else {
            Ok(self.buf)
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    /// `%+v` and `%#v`: set instead of `plus`/`sharp` for the `v` verb.
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

#[derive(Default)]
struct Printer {
    buf: String,
    f: Flags,
    overflow: bool,
    reordered: bool,
    good_arg_num: bool,
}

/// Go caps widths and precisions at 1e6 (bigger ones are "BADWIDTH" or end the verb).
const MAX_WIDTH: i64 = 1_000_000;

impl Printer {
    fn write(&mut self, s: &str) {
        if self.buf.len() + s.len() > MAX_OUTPUT {
            self.overflow = true;
        } else {
            self.buf.push_str(s);
        }
    }

    fn write_padding(&mut self, n: usize) {
        if self.buf.len() + n > MAX_OUTPUT {
            self.overflow = true;
            return;
        }
        let c = if self.f.zero { '0' } else { ' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    /// Pads to the width in runes, on the left unless `-`.
    fn pad(&mut self, s: &str) {
        let wid = self.f.wid.unwrap_or(0);
        let n = s.chars().count();
        if wid <= n {
            self.write(s);
        } else if self.f.minus {
            self.write(s);
            self.write_padding(wid - n);
        } else {
            self.write_padding(wid - n);
            self.write(s);
        }
    }

    fn pad_no_zero(&mut self, s: &str) {
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(s);
        self.f.zero = zero;
    }

    // ---- Printf's parser ----

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let b = format.as_bytes();
        let end = b.len();
        let mut arg_num = 0usize;
        let mut i = 0usize;
        while i < end && !self.overflow {
            self.good_arg_num = true;
            let last = i;
            while i < end && b[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.write(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                match b[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            let mut after_index;
            (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());

            if i < end && b[i] == b'*' {
                i += 1;
                let (w, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if !ok {
                    self.write("%!(BADWIDTH)");
                    self.f.wid = None;
                } else if w < 0 {
                    self.f.wid = Some(w.unsigned_abs() as usize);
                    self.f.minus = true;
                    self.f.zero = false;
                } else {
                    self.f.wid = Some(w as usize);
                }
                after_index = false;
            } else {
                let (w, ok, next) = parse_num(b, i, end);
                i = next;
                self.f.wid = ok.then_some(w);
                if after_index && ok {
                    self.good_arg_num = false;
                }
            }

            if i + 1 < end && b[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false;
                }
                (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
                if i < end && b[i] == b'*' {
                    i += 1;
                    let (p, ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    if ok && p >= 0 {
                        self.f.prec = Some(p as usize);
                    } else {
                        self.f.prec = None;
                        self.write("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, ok, next) = parse_num(b, i, end);
                    i = next;
                    self.f.prec = Some(if ok { p } else { 0 });
                }
            }

            if !after_index {
                (arg_num, i, _) = self.arg_number(arg_num, format, i, args.len());
            }

            if i >= end {
                self.write("%!(NOVERB)");
                break;
            }
            let Some(verb) = format[i..].chars().next() else {
                break;
            };
            i += verb.len_utf8();

            if verb == '%' {
                // A literal percent takes no operand and ignores width and precision.
                self.write("%");
            } else if !self.good_arg_num {
                self.write(&format!("%!{verb}(BADINDEX)"));
            } else if arg_num >= args.len() {
                self.write(&format!("%!{verb}(MISSING)"));
            } else {
                if verb == 'v' || verb == 'w' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }

        if !self.reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.write("%!(EXTRA ");
            for (k, arg) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.write(", ");
                }
                if arg.is_nil() {
                    self.write("<nil>");
                } else {
                    self.write(arg.type_name());
                    self.write("=");
                    self.print_arg(arg, 'v');
                }
            }
            self.write(")");
        }
    }

    /// An explicit `[n]` argument index at `i`, if any.
    fn arg_number(&mut self, arg_num: usize, format: &str, i: usize, num_args: usize) -> (usize, usize, bool) {
        let b = format.as_bytes();
        if i >= b.len() || b[i] != b'[' {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let (index, wid, ok) = parse_arg_number(&b[i..]);
        match index {
            Some(n) if ok && n < num_args => (n, i + wid, true),
            _ => {
                self.good_arg_num = false;
                (arg_num, i + wid, ok)
            }
        }
    }

    // ---- operands ----

    fn print_arg(&mut self, v: &Value, verb: char) {
        if v.is_nil() {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(verb, None),
            }
            return;
        }
        match verb {
            'T' => self.fmt_s(v.type_name()),
            'p' => match v {
                // Go prints the address; there is none to print, so a fixed one.
                Value::Map(_) | Value::List(..) | Value::Object(_) => self.fmt_integer(0, 16, false, 'v', true),
                _ => self.bad_verb(verb, Some(v)),
            },
            // `%w` is for `fmt.Errorf` only.
            'w' => self.bad_verb(verb, Some(v)),
            _ => self.print_value(v, verb),
        }
    }

    fn print_value(&mut self, v: &Value, verb: char) {
        if self.overflow {
            return;
        }
        match v {
            Value::NoValue | Value::Nil => {
                // A nil inside a list or map (the top level is handled by print_arg).
                self.write(if self.f.sharp_v { "interface {}(nil)" } else { "<nil>" });
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, Some(v)),
            },
            Value::Int(i) => self.fmt_int_verb(*i, verb, v),
            Value::Float(f) => self.fmt_float_verb(*f, verb, v),
            Value::Str(s) => self.fmt_string(s, verb, v),
            Value::Map(m) => {
                let sharp_v = self.f.sharp_v;
                self.write(if sharp_v { "map[string]interface {}{" } else { "map[" });
                for (k, (key, item)) in m.borrow().iter().enumerate() {
                    if k > 0 {
                        self.write(if sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(key, verb, &Value::str(key.as_str()));
                    self.write(":");
                    self.print_value(item, verb);
                }
                self.write(if sharp_v { "}" } else { "]" });
            }
            Value::List(items, _) => {
                let sharp_v = self.f.sharp_v;
                if sharp_v {
                    self.write(v.type_name());
                    self.write("{");
                } else {
                    self.write("[");
                }
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        self.write(if sharp_v { ", " } else { " " });
                    }
                    self.print_value(item, verb);
                }
                self.write(if sharp_v { "}" } else { "]" });
            }
            Value::Object(o) => match verb {
                'v' | 's' => self.fmt_s(&o.display()),
                _ => self.bad_verb(verb, Some(v)),
            },
        }
    }

    /// `%!verb(type=value)`, the value printed with `%v` and the current flags, as Go does.
    fn bad_verb(&mut self, verb: char, v: Option<&Value>) {
        self.write("%!");
        let mut tmp = [0u8; 4];
        self.write(verb.encode_utf8(&mut tmp));
        self.write("(");
        match v {
            Some(v) if !v.is_nil() => {
                self.write(v.type_name());
                self.write("=");
                self.print_arg(v, 'v');
            }
            _ => self.write("<nil>"),
        }
        self.write(")");
    }

    // ---- integers ----

    fn fmt_int_verb(&mut self, i: i64, verb: char, v: &Value) {
        match verb {
            'v' | 'd' => self.fmt_integer(i, 10, false, verb, false),
            'b' => self.fmt_integer(i, 2, false, verb, false),
            'o' | 'O' => self.fmt_integer(i, 8, false, verb, false),
            'x' => self.fmt_integer(i, 16, false, verb, false),
            'X' => self.fmt_integer(i, 16, true, verb, false),
            'c' => self.fmt_c(i as u64),
            'q' => self.fmt_qc(i as u64),
            'U' => self.fmt_unicode(i as u64),
            _ => self.bad_verb(verb, Some(v)),
        }
    }

    /// Go's `fmt_integer`; `force_0x` is `%p`'s unconditional prefix.
    fn fmt_integer(&mut self, i: i64, base: u32, upper: bool, verb: char, force_0x: bool) {
        let negative = i < 0;
        let u = i.unsigned_abs();
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            // Precision 0 and value 0 print nothing but the padding.
            if p == 0 && u == 0 {
                let zero = std::mem::replace(&mut self.f.zero, false);
                self.write_padding(self.f.wid.unwrap_or(0));
                self.f.zero = zero;
                return;
            }
        } else if self.f.zero
            && let Some(w) = self.f.wid
        {
            prec = w;
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => u.to_string(),
        };
        if prec > digits.len() {
            digits.insert_str(0, &"0".repeat(prec - digits.len()));
        }
        let mut prefix = String::new();
        if negative {
            prefix.push('-');
        } else if self.f.plus {
            prefix.push('+');
        } else if self.f.space {
            prefix.push(' ');
        }
        if verb == 'O' {
            prefix.push_str("0o");
        }
        if self.f.sharp || force_0x {
            match base {
                2 => prefix.push_str("0b"),
                8 if !digits.starts_with('0') => prefix.push('0'),
                16 => prefix.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        prefix.push_str(&digits);
        // Zero padding was done through the precision above.
        self.pad_no_zero(&prefix);
    }

    fn fmt_c(&mut self, u: u64) {
        let c = u32::try_from(u).ok().and_then(char::from_u32).unwrap_or('\u{FFFD}');
        let mut tmp = [0u8; 4];
        self.pad(c.encode_utf8(&mut tmp));
    }

    fn fmt_qc(&mut self, u: u64) {
        let c = u32::try_from(u).ok().and_then(char::from_u32).unwrap_or('\u{FFFD}');
        let mut s = String::from('\'');
        escape_rune(&mut s, c, '\'', self.f.plus);
        s.push('\'');
        self.pad(&s);
    }

    fn fmt_unicode(&mut self, u: u64) {
        let digits = self.f.prec.filter(|p| *p > 4).unwrap_or(4);
        let mut s = format!("U+{u:0digits$X}");
        if self.f.sharp
            && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
            && is_print(c)
        {
            s.push_str(" '");
            s.push(c);
            s.push('\'');
        }
        self.pad_no_zero(&s);
    }

    // ---- floats ----

    fn fmt_float_verb(&mut self, f: f64, verb: char, v: &Value) {
        match verb {
            'v' => self.fmt_float(f, 'g', None),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(f, verb, None),
            'f' | 'e' | 'E' => self.fmt_float(f, verb, Some(6)),
            'F' => self.fmt_float(f, 'f', Some(6)),
            _ => self.bad_verb(verb, Some(v)),
        }
    }

    /// Go's `fmt_float`: sign, `#`, zero padding after the sign, NaN and Inf unpadded by zeros.
    fn fmt_float(&mut self, f: f64, verb: char, default_prec: Option<usize>) {
        let prec = self.f.prec.or(default_prec);
        let formatted = strconv_float(f, verb, prec);
        let mut num = if formatted.starts_with(['-', '+']) {
            formatted
        } else {
            format!("+{formatted}")
        };
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(0..1, " ");
        }
        let body = &num[1..];
        if body.starts_with('I') || body.starts_with('N') {
            let zero = std::mem::replace(&mut self.f.zero, false);
            if body.starts_with('N') && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.f.zero = zero;
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(&num, verb, prec);
        }
        if self.f.plus || !num.starts_with('+') {
            if self.f.zero
                && let Some(w) = self.f.wid
                && w > num.len()
            {
                let (sign, rest) = num.split_at(1);
                let (sign, rest) = (sign.to_owned(), rest.to_owned());
                self.write(&sign);
                self.write_padding(w - num.len());
                self.write(&rest);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }

    // ---- strings ----

    fn fmt_string(&mut self, s: &str, verb: char, v: &Value) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sx(s, false),
            'X' => self.fmt_sx(s, true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, Some(v)),
        }
    }

    /// The precision truncates to that many runes.
    fn truncate<'a>(&self, s: &'a str) -> &'a str {
        match self.f.prec {
            Some(p) => s.char_indices().nth(p).map_or(s, |(i, _)| &s[..i]),
            None => s,
        }
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate(s);
        self.pad(s);
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        if self.f.sharp && can_backquote(s) {
            self.pad(&format!("`{s}`"));
        } else {
            let q = go_quote(s, self.f.plus);
            self.pad(&q);
        }
    }

    /// Hex of the bytes; `' '` separates bytes, `#` adds `0x` (to each byte with `' '`).
    fn fmt_sx(&mut self, s: &str, upper: bool) {
        let bytes = s.as_bytes();
        let length = self.f.prec.map_or(bytes.len(), |p| p.min(bytes.len()));
        if length == 0 {
            if let Some(w) = self.f.wid {
                self.write_padding(w);
            }
            return;
        }
        let mut width = 2 * length;
        if self.f.space {
            if self.f.sharp {
                width *= 2;
            }
            width += length - 1;
        } else if self.f.sharp {
            width += 2;
        }
        let wid = self.f.wid.unwrap_or(0);
        if wid > width && !self.f.minus {
            self.write_padding(wid - width);
        }
        let prefix = if upper { "0X" } else { "0x" };
        let mut out = String::with_capacity(width);
        if self.f.sharp {
            out.push_str(prefix);
        }
        for (k, byte) in bytes[..length].iter().enumerate() {
            if self.f.space && k > 0 {
                out.push(' ');
                if self.f.sharp {
                    out.push_str(prefix);
                }
            }
            if upper {
                out.push_str(&format!("{byte:02X}"));
            } else {
                out.push_str(&format!("{byte:02x}"));
            }
        }
        self.write(&out);
        if wid > width && self.f.minus {
            self.write_padding(wid - width);
        }
    }
}

/// Go's `parsenum`: a too-large number consumes the rest of the format.
fn parse_num(b: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num: i64 = 0;
    let mut is_num = false;
    let mut i = start;
    while i < end && b[i].is_ascii_digit() {
        if num > MAX_WIDTH {
            return (0, false, end);
        }
        num = num * 10 + i64::from(b[i] - b'0');
        is_num = true;
        i += 1;
    }
    (num as usize, is_num, i)
}

/// `[n]` at the start of `b`: the zero-based index (if a number), bytes consumed, and whether
/// it parsed.
fn parse_arg_number(b: &[u8]) -> (Option<usize>, usize, bool) {
    if b.len() < 3 {
        return (None, 1, false);
    }
    match b.iter().position(|c| *c == b']') {
        Some(close) => {
            let (n, ok, next) = parse_num(b, 1, close);
            if !ok || next != close {
                (None, close + 1, false)
            } else {
                (n.checked_sub(1), close + 1, true)
            }
        }
        None => (None, 1, false),
    }
}

/// A `*` width or precision: the operand must be an integer within Go's 1e6 limit.
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    match args.get(arg_num) {
        Some(Value::Int(n)) if n.abs() <= MAX_WIDTH => (*n, true, arg_num + 1),
        Some(_) => (0, false, arg_num + 1),
        None => (0, false, arg_num),
    }
}

/// `strconv.FormatFloat(f, verb, prec, 64)`; `None` is Go's `-1` (shortest).
fn strconv_float(f: f64, verb: char, prec: Option<usize>) -> String {
    if !f.is_finite() {
        return format_float(f, 'g', None);
    }
    match verb {
        'e' | 'f' | 'g' => format_float(f, verb, prec),
        'E' | 'G' => format_float(f, verb.to_ascii_lowercase(), prec).to_uppercase(),
        'x' | 'X' => hex_float(f, verb, prec),
        'b' => binary_float(f),
        _ => format_float(f, 'g', prec),
    }
}

/// Mantissa (with the implicit bit) and unbiased exponent, as Go's `genericFtoa` takes them.
fn float_parts(f: f64) -> (bool, u64, i32) {
    let bits = f.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << 52;
    }
    (neg, mant, exp - 1023)
}

/// `%b`: `4503599627370496p-52`.
fn binary_float(f: f64) -> String {
    let (neg, mant, exp) = float_parts(f);
    let exp = exp - 52;
    let sign = if neg { "-" } else { "" };
    let esign = if exp >= 0 { "+" } else { "" };
    format!("{sign}{mant}p{esign}{exp}")
}

/// `%x`: `-0x1.8p+01`, shortest or rounded (half to even) to `prec` hex digits.
fn hex_float(f: f64, verb: char, prec: Option<usize>) -> String {
    let (neg, mut mant, mut exp) = float_parts(f);
    if mant == 0 {
        exp = 0;
    }
    // Leading 1 at bit 60.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if let Some(p) = prec.filter(|p| *p < 15) {
        let shift = (p * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let upper = verb == 'X';
    let hex: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push('0');
    out.push(verb);
    out.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    let digits = match prec {
        None if mant != 0 => {
            out.push('.');
            let mut n = 0;
            let mut m = mant;
            while m != 0 {
                n += 1;
                m <<= 4;
            }
            n
        }
        Some(p) if p > 0 => {
            out.push('.');
            p
        }
        _ => 0,
    };
    for _ in 0..digits {
        out.push(char::from(hex[((mant >> 60) & 15) as usize]));
        mant <<= 4;
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.abs()));
    out
}

/// The `#` flag on a float: always a decimal point, and `%g` keeps its trailing zeros.
fn sharp_float(num: &str, verb: char, prec: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => prec.map_or(6, |p| p as i64),
        _ => 0,
    };
    let (mut body, tail) = {
        let split = num
            .char_indices()
            .skip(1)
            .find(|(_, c)| matches!(c, 'p' | 'P') || (matches!(c, 'e' | 'E') && !matches!(verb, 'x' | 'X')))
            .map_or(num.len(), |(i, _)| i);
        (num[..split].to_owned(), num[split..].to_owned())
    };
    let mut has_point = false;
    let mut saw_nonzero = false;
    for c in body.chars().skip(1) {
        if c == '.' {
            has_point = true;
            continue;
        }
        if c != '0' {
            saw_nonzero = true;
        }
        if saw_nonzero {
            digits -= 1;
        }
    }
    if !has_point {
        // A lone 0 digit counts once.
        if body.len() == 2 && body.ends_with('0') {
            digits -= 1;
        }
        body.push('.');
    }
    while digits > 0 {
        body.push('0');
        digits -= 1;
    }
    body.push_str(&tail);
    body
}

// ---- quoting (strconv) ----

/// `strconv.Quote` (`ascii_only`: `strconv.QuoteToASCII`).
pub(super) fn go_quote(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_rune(&mut out, c, '"', ascii_only);
    }
    out.push('"');
    out
}

fn escape_rune(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if (!ascii_only || c.is_ascii()) && is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// `strconv.CanBackquote`: no control characters but tab, no backquote, no BOM.
fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| !((c < ' ' && c != '\t') || c == '`' || c == '\x7f' || c == '\u{feff}'))
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
/// Without Unicode tables this rejects the control, format, separator, private-use and
/// noncharacter code points and takes every other (also unassigned) code point as printable.
pub(super) fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x7f {
        return u >= 0x20;
    }
    if u <= 0xff {
        return u >= 0xa1 && u != 0xad;
    }
    const NOT_PRINT: &[(u32, u32)] = &[
        (0x0600, 0x0605),
        (0x061c, 0x061c),
        (0x06dd, 0x06dd),
        (0x070f, 0x070f),
        (0x0890, 0x0891),
        (0x08e2, 0x08e2),
        (0x1680, 0x1680),
        (0x180e, 0x180e),
        (0x2000, 0x200f),
        (0x2028, 0x202f),
        (0x205f, 0x2064),
        (0x2066, 0x206f),
        (0x3000, 0x3000),
        (0xd800, 0xf8ff),
        (0xfdd0, 0xfdef),
        (0xfeff, 0xfeff),
        (0xfff9, 0xfffb),
        (0x110bd, 0x110bd),
        (0x110cd, 0x110cd),
        (0x13430, 0x1343f),
        (0x1bca0, 0x1bca3),
        (0x1d173, 0x1d17a),
        (0xe0001, 0xe0001),
        (0xe0020, 0xe007f),
        (0xf0000, 0x10ffff),
    ];
    if u & 0xfffe == 0xfffe {
        return false;
    }
    !NOT_PRINT.iter().any(|(lo, hi)| (*lo..=*hi).contains(&u))
}

#[cfg(test)]
// Go's formatting of 3.14159 is what is tested, not pi.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn pf(format: &str, args: &[Value]) -> String {
        sprintf(format, args).unwrap()
    }

    /// values.yaml used for the Helm runs: `l: [1, "a", null]`, `m: {a: 1, b: x}`.
    fn l() -> Value {
        Value::list(vec![Value::Float(1.0), s("a"), Value::Nil])
    }

    fn m() -> Value {
        Value::map(BTreeMap::from([
            ("a".to_owned(), Value::Float(1.0)),
            ("b".to_owned(), s("x")),
        ]))
    }

    #[test]
    fn sprint_spaces_between_non_strings() {
        // {{ print 1 2 "a" 3 nil 4 .Values.missing true }}
        let args = [
            Value::Int(1),
            Value::Int(2),
            s("a"),
            Value::Int(3),
            Value::Nil,
            Value::Int(4),
            Value::NoValue,
            Value::Bool(true),
        ];
        assert_eq!(sprint(&args).as_deref(), Ok("1 2a3 <nil> 4 <nil> true"));
        assert_eq!(sprintln(&[Value::Int(1), s("a")]).as_deref(), Ok("1 a\n"));
        assert_eq!(sprint(&[]).as_deref(), Ok(""));
        let big = s(&"x".repeat(MAX_OUTPUT / 2 + 1));
        assert!(
            sprint(&[big.clone(), big]).is_err(),
            "too long is an error, never a cut string"
        );
    }

    #[test]
    fn printf_errors_in_band() {
        assert_eq!(pf("%s", &[Value::Int(1)]), "%!s(int64=1)");
        assert_eq!(pf("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            pf("%d", &[Value::Int(1), Value::Int(2), s("x"), Value::Nil]),
            "1%!(EXTRA int64=2, string=x, <nil>)"
        );
        assert_eq!(pf("%s %d", &[Value::Nil, Value::Nil]), "%!s(<nil>) %!d(<nil>)");
        assert_eq!(pf("%!", &[]), "%!!(MISSING)");
        assert_eq!(pf("%", &[]), "%!(NOVERB)");
        assert_eq!(pf("%z", &[Value::Int(1)]), "%!z(int64=1)");
        assert_eq!(pf("%ä", &[Value::Int(1)]), "%!ä(int64=1)");
        assert_eq!(pf("%[2]d %[1]d", &[Value::Int(1), Value::Int(2)]), "2 1");
        assert_eq!(pf("%d", &[Value::Float(1.5)]), "%!d(float64=1.5)");
        assert_eq!(pf("%f", &[Value::Int(1)]), "%!f(int64=1)");
        assert_eq!(
            pf("%t %t %v", &[Value::Bool(true), Value::Int(1), Value::Bool(false)]),
            "true %!t(int64=1) false"
        );
        assert_eq!(
            pf("%[3]d|%[0]d|%[x]d|%[1]5d|%d %d", &[Value::Int(1), Value::Int(2)]),
            "%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)|1 2"
        );
        assert_eq!(
            pf("%.*d|%.*d", &[Value::Int(-1), Value::Int(5), s("x"), Value::Int(5)]),
            "%!(BADPREC)5|%!(BADPREC)5"
        );
        assert_eq!(
            pf("%5z|%-5z", &[Value::Int(1), s("ab")]),
            "%!z(int64=    1)|%!z(string=ab   )"
        );
        assert_eq!(
            pf("%5p|%p", &[Value::Int(1), Value::Nil]),
            "%!p(int64=    1)|%!p(<nil>)"
        );
        assert_eq!(pf("%w|%w", &[Value::Int(1), s("a")]), "%!w(int64=1)|%!w(string=a)");
        assert_eq!(pf("%5%|%-5%", &[]), "%|%");
    }

    #[test]
    fn printf_containers_apply_the_verb_to_elements() {
        assert_eq!(
            pf("%v %+v %T %T %T", &[l(), m(), l(), m(), Value::Nil]),
            "[1 a <nil>] map[a:1 b:x] []interface {} map[string]interface {} <nil>"
        );
        assert_eq!(
            pf("%d|%s|%x|%q", &[l(), l(), l(), l()]),
            "[%!d(float64=1) %!d(string=a) <nil>]|[%!s(float64=1) a <nil>]|[0x1p+00 61 <nil>]|[%!q(float64=1) \"a\" <nil>]"
        );
        assert_eq!(pf("%5d", &[l()]), "[%!d(float64=    1) %!d(string=    a) <nil>]");
        assert_eq!(
            pf("%6.2f", &[m()]),
            "map[%!f(string=     a):  1.00 %!f(string=     b):%!f(string=     x)]"
        );
        assert_eq!(
            pf("%5.1s|%q|%x", &[l(), m(), m()]),
            "[%!s(float64=    1)     a <nil>]|map[\"a\":%!q(float64=1) \"b\":\"x\"]|map[61:0x1p+00 62:78]"
        );
        assert_eq!(
            pf(
                "%#v|%#v|%#v|%#v|%#v|%#v",
                &[Value::Int(1), Value::Float(1.0), s("a"), l(), m(), Value::Nil]
            ),
            "1|1|\"a\"|[]interface {}{1, \"a\", interface {}(nil)}|map[string]interface {}{\"a\":1, \"b\":\"x\"}|<nil>"
        );
        let strs = Value::strings(["a".to_owned(), "b".to_owned()]);
        assert_eq!(pf("%v|%#v", &[strs.clone(), strs]), "[a b]|[]string{\"a\", \"b\"}");
        let ab10 = Value::list(vec![s("ab"), Value::Int(10)]);
        let ab = Value::list(vec![s("ab")]);
        assert_eq!(
            pf("%x|%X|% X|%#x", &[ab10, ab.clone(), ab.clone(), ab]),
            "[6162 a]|[6162]|[61 62]|[0x6162]"
        );
        assert_eq!(pf("%8T|%-8T|%.3T", &[s("a"), s("a"), l()]), "  string|string  |[]i");
    }

    #[test]
    fn printf_strings() {
        assert_eq!(
            pf("%06s|%-06d|%06q|%-6s|", &[s("ab"), Value::Int(12), s("x"), s("y")]),
            "0000ab|12    |000\"x\"|y     |"
        );
        assert_eq!(
            pf(
                "%q|%+q|%#q|%#q|%q|%c|%q",
                &[
                    s("a\"b\\\n\t\u{e9}\u{1}\u{7f}\u{a0}\u{2028}\u{1F600}"),
                    s("é😀"),
                    s("a`b"),
                    s("ab\t"),
                    Value::Int(65),
                    Value::Int(128512),
                    Value::Int(-1)
                ]
            ),
            "\"a\\\"b\\\\\\n\\té\\x01\\x7f\\u00a0\\u2028😀\"|\"\\u00e9\\U0001f600\"|\"a`b\"|`ab\t`|'A'|😀|'\u{FFFD}'"
        );
        assert_eq!(
            pf(
                "%8.3s|%-8q|%.1q|%5.1x|%.0d|%5.0d|%x",
                &[
                    s("abcdef"),
                    s("ab"),
                    s("xyz"),
                    s("hello"),
                    Value::Int(0),
                    Value::Int(0),
                    s("")
                ]
            ),
            "     abc|\"ab\"    |\"x\"|   68||     |"
        );
        assert_eq!(
            pf("%x % x %#x %X", &[s("hi"), s("hi"), s("hi"), s("hi")]),
            "6869 68 69 0x6869 6869"
        );
        assert_eq!(
            pf("%5t|%-7v|%05v|", &[Value::Bool(true), Value::Nil, s("a")]),
            " true|<nil>  |0000a|"
        );
        assert_eq!(
            pf("%05t|%05.1t", &[Value::Bool(true), Value::Bool(false)]),
            "0true|false"
        );
    }

    #[test]
    fn printf_integers() {
        let i = Value::Int;
        assert_eq!(
            pf(
                "%x|%X|%o|%b|%c|%#x|%#o|%08.3d|%+d|% d|%U",
                &[i(255), i(255), i(8), i(5), i(65), i(255), i(8), i(7), i(5), i(5), i(65)]
            ),
            "ff|FF|10|101|A|0xff|010|     007|+5| 5|U+0041"
        );
        assert_eq!(
            pf(
                "%05d|%-5d|%+05d|% 05d|%x|%#08x|%08b",
                &[i(-42), i(-42), i(42), i(42), i(-1), i(255), i(5)]
            ),
            "-0042|-42  |+0042| 0042|-1|0x000000ff|00000101"
        );
        assert_eq!(
            pf("%#b|%O|%#o|%#X|%x", &[i(5), i(8), i(0), i(255), i(-255)]),
            "0b101|0o10|0|0XFF|-ff"
        );
        assert_eq!(
            pf("%U|%#U|%#.6U|%c|%c", &[i(128512), i(65), i(65), i(1114112), i(55296)]),
            "U+1F600|U+0041 'A'|U+000041 'A'|\u{FFFD}|\u{FFFD}"
        );
        assert_eq!(
            pf(
                "%*d|%-*d|%.*f|%*d",
                &[i(5), i(1), i(5), i(2), i(2), Value::Float(3.14159), s("x"), i(3)]
            ),
            "    1|2    |3.14|%!(BADWIDTH)3"
        );
    }

    #[test]
    fn printf_floats() {
        let f = Value::Float;
        assert_eq!(
            pf(
                "%5.2f|%-8.3e|%g|%G|%E|%F|%#g|%+.0f|% f",
                &[
                    f(3.14159),
                    f(1234.5678),
                    f(1e21),
                    f(1e-7),
                    f(1.0),
                    f(2.5),
                    f(1.0),
                    f(2.5),
                    f(1.5)
                ]
            ),
            " 3.14|1.235e+03|1e+21|1E-07|1.000000E+00|2.500000|1.00000|+2| 1.500000"
        );
        assert_eq!(
            pf("%v|%.2v|%10.4v|%-10v|", &[f(3.14159), f(3.14159), f(3.14159), f(1e6)]),
            "3.14159|3.1|     3.142|1e+06     |"
        );
        assert_eq!(
            pf(
                "%08.3f|%+08.3f|%-08.3f|% 08.3f|%+e|%x|%X|%.3x|%b",
                &[
                    f(-3.14159),
                    f(3.14159),
                    f(3.14159),
                    f(3.14159),
                    f(1.0),
                    f(1.5),
                    f(-3.0),
                    f(3.14159),
                    f(1.0)
                ]
            ),
            "-003.142|+003.142|3.142   | 003.142|+1.000000e+00|0x1.8p+00|-0X1.8P+01|0x1.922p+01|4503599627370496p-52"
        );
        assert_eq!(
            pf(
                "%#g|%#g|%#.3g|%#x|%#.3x|%#e|%#f|%#.0f|%#g",
                &[f(0.001), f(1.0), f(1.0), f(1.0), f(1.0), f(1.0), f(1.0), f(2.0), f(1e8)]
            ),
            "0.00100000|1.00000|1.00|0x1.0000p+00|0x1.000p+00|1.000000e+00|1.000000|2.|1.00000e+08"
        );
        assert_eq!(pf("%X|%e", &[f(1.5), f(0.0)]), "0X1.8P+00|0.000000e+00");
        assert_eq!(pf("%s", &[f(1.5)]), "%!s(float64=1.5)");
    }

    #[test]
    fn printf_output_is_bounded() {
        let wide = "%1000000d".repeat(20);
        let args: Vec<Value> = (0..20).map(Value::Int).collect();
        assert!(sprintf(&wide, &args).is_err());
        assert!(printf(&[Value::Int(1)]).is_err());
    }
}
