//! Sprig's arithmetic. The integer functions cast every argument to int64 (`cast.ToInt64`:
//! "3" is 3, 2.7 is 2) and wrap on overflow as Go does; division by zero is Go's runtime panic,
//! an error. The `...f` functions compute in `shopspring/decimal` from each float's shortest
//! decimal form, so `addf 0.1 0.2` is 0.3 (not 0.30000000000000004), and `divf` rounds the
//! quotient to 16 decimal places.

use super::super::value::Value;
use super::convert::{at_least, want_int};
use super::{Func, arity, to_float64, to_int64};

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("add", add),
    ("add1", add1),
    ("sub", sub),
    ("div", div),
    ("mod", modulo),
    ("mul", mul),
    ("max", max),
    ("biggest", max),
    ("min", min),
    ("floor", floor),
    ("ceil", ceil),
    ("round", round),
    ("addf", addf),
    ("add1f", add1f),
    ("subf", subf),
    ("divf", divf),
    ("mulf", mulf),
    ("maxf", maxf),
    ("minf", minf),
];

const DIVIDE_BY_ZERO: &str = "runtime error: integer divide by zero";

fn add(args: &[Value]) -> super::Result {
    Ok(Value::Int(args.iter().map(to_int64).fold(0i64, i64::wrapping_add)))
}

fn add1(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::Int(to_int64(&args[0]).wrapping_add(1)))
}

fn sub(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Int(to_int64(&args[0]).wrapping_sub(to_int64(&args[1]))))
}

fn div(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let b = to_int64(&args[1]);
    if b == 0 {
        return Err(DIVIDE_BY_ZERO.into());
    }
    Ok(Value::Int(to_int64(&args[0]).wrapping_div(b)))
}

fn modulo(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let b = to_int64(&args[1]);
    if b == 0 {
        return Err(DIVIDE_BY_ZERO.into());
    }
    Ok(Value::Int(to_int64(&args[0]).wrapping_rem(b)))
}

fn mul(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    Ok(Value::Int(args.iter().map(to_int64).fold(1i64, i64::wrapping_mul)))
}

fn max(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    Ok(Value::Int(args.iter().map(to_int64).max().unwrap_or(0)))
}

fn min(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    Ok(Value::Int(args.iter().map(to_int64).min().unwrap_or(0)))
}

fn floor(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::Float(to_float64(&args[0]).floor()))
}

fn ceil(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::Float(to_float64(&args[0]).ceil()))
}

/// `round X PLACES [ROUND_ON]`: up when the dropped fraction is at least ROUND_ON (0.5), else
/// down (toward -Inf, so `round -2.5 0` is -3).
fn round(args: &[Value]) -> super::Result {
    at_least(args, 2)?;
    let places = want_int(&args[1])?;
    let round_on = match args.get(2) {
        Some(Value::Float(f)) => *f,
        Some(Value::Int(i)) => *i as f64,
        Some(other) => return Err(super::convert::wrong_type("float64", other)),
        None => 0.5,
    };
    let pow = 10f64.powi(i32::try_from(places).unwrap_or(if places < 0 { i32::MIN } else { i32::MAX }));
    let digit = pow * to_float64(&args[0]);
    let rounded = if digit.fract() >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(rounded / pow))
}

/// Go's `math.Max`/`math.Min`: NaN wins, and +0 is above -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() { b } else { a }
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() { a } else { b }
    } else {
        a.min(b)
    }
}

fn maxf(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    Ok(Value::Float(
        args[1..].iter().map(to_float64).fold(to_float64(&args[0]), go_max),
    ))
}

fn minf(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    Ok(Value::Float(
        args[1..].iter().map(to_float64).fold(to_float64(&args[0]), go_min),
    ))
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

fn addf(args: &[Value]) -> super::Result {
    decimal_chain(&Value::Float(0.0), args, Op::Add)
}

fn add1f(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    decimal_chain(&args[0], &[Value::Int(1)], Op::Add)
}

fn subf(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    decimal_chain(&args[0], &args[1..], Op::Sub)
}

fn divf(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    decimal_chain(&args[0], &args[1..], Op::Div)
}

fn mulf(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    decimal_chain(&args[0], &args[1..], Op::Mul)
}

/// Sprig's `execDecimalOp`: FIRST op X1 op X2 ..., in decimal, then back to the nearest float64.
fn decimal_chain(first: &Value, rest: &[Value], op: Op) -> super::Result {
    let mut acc = Dec::from_f64(to_float64(first))?;
    for x in rest {
        let x = Dec::from_f64(to_float64(x))?;
        acc = acc.apply(x, op)?;
    }
    Ok(Value::Float(acc.to_f64()))
}

/// A decimal `m * 10^e`. shopspring/decimal has arbitrary precision; an i128 mantissa covers
/// what float64 inputs need (17 significant digits each), and where it would overflow (numbers
/// some 20 orders of magnitude apart) the step falls back to float64 arithmetic, which rounds
/// to the same float64 in practice.
#[derive(Clone, Copy, Debug)]
struct Dec {
    m: i128,
    e: i32,
}

/// `DivisionPrecision`: decimal places kept by `Div`.
const DIV_PLACES: i32 = 16;

impl Dec {
    /// The shortest decimal that reads back as `f`, as `decimal.NewFromFloat` takes it.
    fn from_f64(f: f64) -> Result<Dec, String> {
        if !f.is_finite() {
            return Err(format!(
                "Cannot create a Decimal via NewFromFloat from {}",
                super::super::value::go_string(&Value::Float(f))
            ));
        }
        let text = format!("{f:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let frac_digits = mantissa.split_once('.').map_or(0, |(_, frac)| frac.len());
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        let m: i128 = digits.parse().map_err(|_| format!("bad float {text}"))?;
        let e: i32 = exp.parse().map_err(|_| format!("bad float {text}"))?;
        Ok(Dec {
            m,
            e: e - frac_digits as i32,
        }
        .normalized())
    }

    fn normalized(mut self) -> Dec {
        if self.m == 0 {
            return Dec { m: 0, e: 0 };
        }
        while self.m % 10 == 0 {
            self.m /= 10;
            self.e += 1;
        }
        self
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.m, self.e).parse().unwrap_or(f64::NAN)
    }

    fn apply(self, x: Dec, op: Op) -> Result<Dec, String> {
        if matches!(op, Op::Div) && x.m == 0 {
            return Err("decimal division by 0".into());
        }
        let exact = match op {
            Op::Add => self.add(x),
            Op::Sub => self.add(Dec { m: -x.m, e: x.e }),
            Op::Mul => self.m.checked_mul(x.m).and_then(|m| {
                Some(Dec {
                    m,
                    e: self.e.checked_add(x.e)?,
                })
            }),
            Op::Div => self.div_round(x),
        };
        match exact {
            Some(d) => Ok(d.normalized()),
            None => Dec::from_f64(float_op(self.to_f64(), x.to_f64(), op)),
        }
    }

    fn add(self, x: Dec) -> Option<Dec> {
        let e = self.e.min(x.e);
        let a = self.m.checked_mul(pow10(self.e - e)?)?;
        let b = x.m.checked_mul(pow10(x.e - e)?)?;
        Some(Dec {
            m: a.checked_add(b)?,
            e,
        })
    }

    /// `DivRound(x, 16)`: the quotient at 16 decimal places, halves away from zero.
    fn div_round(self, x: Dec) -> Option<Dec> {
        let shift = self.e.checked_sub(x.e)?.checked_add(DIV_PLACES)?;
        let (num, den) = if shift >= 0 {
            (self.m.checked_mul(pow10(shift)?)?, x.m)
        } else {
            (self.m, x.m.checked_mul(pow10(-shift)?)?)
        };
        let (q, r) = (num / den, num % den);
        let round_up = r.checked_abs()?.checked_mul(2)? >= den.checked_abs()?;
        let q = if !round_up {
            q
        } else if (num < 0) != (den < 0) {
            q - 1
        } else {
            q + 1
        };
        Some(Dec { m: q, e: -DIV_PLACES })
    }
}

fn pow10(n: i32) -> Option<i128> {
    10i128.checked_pow(u32::try_from(n).ok()?)
}

fn float_op(a: f64, b: f64, op: Op) -> f64 {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::funcs::testing::{call, err, f, i, out, s};

    #[test]
    fn integer_math() {
        assert_eq!(out("add", &[i(1), f(2.7), s("3")]), "6");
        assert_eq!(out("add", &[]), "0");
        assert_eq!(out("add1", &[f(2.9)]), "3");
        assert_eq!(out("sub", &[i(5), f(2.9)]), "3");
        assert_eq!(out("div", &[i(7), i(2)]), "3");
        assert_eq!(out("div", &[i(-7), i(2)]), "-3");
        assert_eq!(err("div", &[i(1), i(0)]), DIVIDE_BY_ZERO);
        assert_eq!(err("mod", &[i(7), i(0)]), DIVIDE_BY_ZERO);
        assert_eq!(out("mod", &[i(-7), i(3)]), "-1");
        assert_eq!(out("mul", &[i(2), i(3), i(4)]), "24");
        assert_eq!(out("mul", &[i(2)]), "2");
        assert_eq!(out("max", &[i(1), i(5), i(3)]), "5");
        assert_eq!(out("min", &[i(4), s("2"), i(9)]), "2");
        assert_eq!(out("max", &[f(1.9), f(1.2)]), "1");
        assert_eq!(out("biggest", &[i(3), s("x")]), "3");
        assert_eq!(out("div", &[i(i64::MAX), i(-1)]), "-9223372036854775807");
        assert_eq!(out("add", &[i(i64::MAX), i(1)]), "-9223372036854775808");
        assert_eq!(out("add1", &[Value::NoValue]), "1");
        assert_eq!(call("add", &[i(1), i(2)]).unwrap().type_name(), "int64");
    }

    #[test]
    #[allow(clippy::approx_constant)] // 3.14159 is the input checked against helm
    fn float_helpers() {
        assert_eq!(out("floor", &[f(1.7)]), "1");
        assert_eq!(out("floor", &[s("-1.2")]), "-2");
        assert_eq!(out("ceil", &[f(1.2)]), "2");
        assert_eq!(call("floor", &[i(3)]).unwrap().type_name(), "float64");
        assert_eq!(out("floor", &[Value::NoValue]), "0");
        assert_eq!(out("round", &[f(3.14159), i(2)]), "3.14");
        assert_eq!(out("round", &[f(2.5), i(0)]), "3");
        assert_eq!(out("round", &[f(-2.5), i(0)]), "-3");
        assert_eq!(out("round", &[f(1.15), i(1), f(0.4)]), "1.2");
        assert_eq!(out("round", &[f(1.005), i(2)]), "1");
        assert_eq!(out("round", &[f(2.675), i(2)]), "2.68");
        assert_eq!(out("round", &[f(123.456), i(-1)]), "120");
        assert!(call("round", &[f(3.1), f(2.0)]).is_err());
        assert_eq!(out("maxf", &[i(1), f(2.5), s("3")]), "3");
        assert_eq!(out("minf", &[i(1), f(-2.5)]), "-2.5");
    }

    #[test]
    fn decimal_math() {
        assert_eq!(out("addf", &[f(0.1), f(0.2)]), "0.3");
        assert_eq!(out("add1f", &[f(0.1)]), "1.1");
        assert_eq!(out("subf", &[i(1), f(0.9)]), "0.1");
        assert_eq!(out("divf", &[i(1), i(3)]), "0.3333333333333333");
        assert_eq!(out("divf", &[i(1), i(3000)]), "0.0003333333333333");
        assert_eq!(out("divf", &[i(2), i(3)]), "0.6666666666666667");
        assert_eq!(err("divf", &[i(1), i(0)]), "decimal division by 0");
        assert_eq!(out("mulf", &[f(1.1), f(1.1)]), "1.21");
        assert_eq!(out("mulf", &[f(0.1), i(3)]), "0.3");
        assert_eq!(out("addf", &[]), "0");
        assert_eq!(out("subf", &[i(1)]), "1");
        assert_eq!(out("addf", &[f(1e20), f(1e-20)]), "1e+20");
        assert_eq!(out("divf", &[f(1e20), i(3)]), "3.333333333333333e+19");
        assert_eq!(out("divf", &[i(1), f(3e20)]), "0");
        assert_eq!(out("mulf", &[f(1e200), f(1e200)]), "+Inf");
        assert_eq!(out("divf", &[i(22), i(7)]), "3.142857142857143");
        assert_eq!(out("divf", &[i(5), f(0.000001)]), "5e+06");
        assert_eq!(
            out("mulf", &[f(123456789.123), f(987654321.987)]),
            "1.219326313559686e+17"
        );
        assert_eq!(out("divf", &[i(7), i(3), i(2)]), "1.1666666666666667");
        assert_eq!(call("divf", &[i(10), i(4)]).unwrap().type_name(), "float64");
    }
}
