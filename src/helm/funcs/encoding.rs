//! Sprig's encoding, hashing, random and crypto functions.
//!
//! The codecs and checksums are exact (Go's `encoding/base64` and `encoding/base32` standard
//! encodings, including their error strings, which Sprig returns as the decoded value).
//!
//! The random and crypto generators (`randAlphaNum`, `uuidv4`, `genCA`, `bcrypt`, ...) return
//! FIXED placeholders. snaplint cannot and must not generate secrets: its output must be
//! reproducible, and a linter has no business minting keys. Each placeholder keeps the shape a
//! template and the YAML around it depend on: the length and alphabet of `randAlphaNum n`, a
//! UUID's layout, PEM armour around `.Cert` and `.Key`, a bcrypt hash's prefix and length. The
//! arguments are checked as Sprig checks them, so a call that fails in Helm fails here.

use crate::helm::base64;
use std::collections::BTreeMap;

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::format::{MAX_OUTPUT, strs, want_int, want_str};
use super::{Func, Result, arity};
use crate::helm::value::Value;

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("b64enc", b64enc),
    ("b64dec", b64dec),
    ("b32enc", b32enc),
    ("b32dec", b32dec),
    ("sha1sum", sha1sum),
    ("sha256sum", sha256sum),
    ("sha512sum", sha512sum),
    ("adler32sum", adler32sum),
    ("randAlphaNum", rand_alpha_num),
    ("randAlpha", rand_alpha),
    ("randNumeric", rand_numeric),
    ("randAscii", rand_ascii),
    ("randBytes", rand_bytes),
    ("randInt", rand_int),
    ("uuidv4", uuidv4),
    ("bcrypt", bcrypt),
    ("htpasswd", htpasswd),
    ("derivePassword", derive_password),
    ("encryptAES", encrypt_aes),
    ("decryptAES", decrypt_aes),
    ("genPrivateKey", gen_private_key),
    ("genCA", gen_ca),
    ("genCAWithKey", gen_ca_with_key),
    ("genSelfSignedCert", gen_self_signed_cert),
    ("genSelfSignedCertWithKey", gen_self_signed_cert_with_key),
    ("genSignedCert", gen_signed_cert),
    ("genSignedCertWithKey", gen_signed_cert_with_key),
    ("buildCustomCert", build_custom_cert),
];

fn ok(s: impl Into<std::rc::Rc<str>>) -> Result {
    Ok(Value::Str(s.into()))
}

/// Decoded bytes as a string; Go keeps invalid UTF-8, which becomes U+FFFD here.
fn from_bytes(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- base32 (Go's StdEncoding) ----

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let n = block.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for k in 0..8 {
            if k < chars {
                out.push(char::from(B32[(n >> (35 - 5 * k)) as usize & 31]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString`: newlines removed first, then 8-character quanta.
fn base32_decode(s: &str) -> std::result::Result<Vec<u8>, String> {
    let corrupt = |at: usize| format!("illegal base32 data at input byte {at}");
    let src: Vec<u8> = s.bytes().filter(|c| *c != b'\n' && *c != b'\r').collect();
    let olen = src.len();
    let mut rest: &[u8] = &src;
    let mut out = Vec::with_capacity(olen / 8 * 5);
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut quantum = [0u8; 8];
        let mut dlen = 8;
        let mut j = 0;
        while j < 8 {
            let Some((&c, tail)) = rest.split_first() else {
                // Missing padding.
                return Err(corrupt(olen - rest.len() - j));
            };
            rest = tail;
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(corrupt(olen));
                }
                for k in 0..7 - j {
                    if rest.len() > k && rest[k] != b'=' {
                        return Err(corrupt(olen - rest.len() + k - 1));
                    }
                }
                dlen = j;
                end = true;
                // 1, 3 and 6 characters cannot end a quantum.
                if matches!(dlen, 1 | 3 | 6) {
                    return Err(corrupt(olen - rest.len() - 1));
                }
                break;
            }
            match B32.iter().position(|x| *x == c) {
                Some(v) => quantum[j] = v as u8,
                None => return Err(corrupt(olen - rest.len() - 1)),
            }
            j += 1;
        }
        let n = quantum.iter().fold(0u64, |acc, v| acc << 5 | u64::from(*v));
        let bytes = [
            (n >> 32) as u8,
            (n >> 24) as u8,
            (n >> 16) as u8,
            (n >> 8) as u8,
            n as u8,
        ];
        let produced = match dlen {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            _ => 1,
        };
        out.extend_from_slice(&bytes[..produced]);
    }
    Ok(out)
}

fn b64enc(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(base64::encode(s.as_bytes()))
}

/// Sprig returns a decoding error as the result string.
fn b64dec(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(base64::decode(s.as_bytes()).map_or_else(|e| e, |b| from_bytes(&b)))
}

fn b32enc(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(base32_encode(s.as_bytes()))
}

fn b32dec(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(base32_decode(s).map_or_else(|e| e, |b| from_bytes(&b)))
}

// ---- checksums ----

fn sha1sum(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(hex(&Sha1::digest(s.as_bytes())))
}

fn sha256sum(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(hex(&Sha256::digest(s.as_bytes())))
}

fn sha512sum(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(hex(&Sha512::digest(s.as_bytes())))
}

/// Adler-32 as a decimal number.
fn adler32sum(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    const MOD: u32 = 65521;
    let (a, b) = s.bytes().fold((1u32, 0u32), |(a, b), byte| {
        let a = (a + u32::from(byte)) % MOD;
        (a, (b + a) % MOD)
    });
    ok((b << 16 | a).to_string())
}

// ---- random placeholders ----

/// `count` characters cycling through `alphabet`; goutils fails (and Sprig gives "") for a
/// negative count.
fn placeholder_chars(args: &[Value], alphabet: &str) -> Result {
    arity(args, 1)?;
    let count = want_int(&args[0])?;
    let Ok(count) = usize::try_from(count) else {
        return ok("");
    };
    if count > MAX_OUTPUT {
        return Err(format!("result longer than {MAX_OUTPUT} bytes"));
    }
    ok(alphabet.chars().cycle().take(count).collect::<String>())
}

fn rand_alpha_num(args: &[Value]) -> Result {
    placeholder_chars(args, "x7Kq2mW9bN4v")
}

fn rand_alpha(args: &[Value]) -> Result {
    placeholder_chars(args, "xKqmWbNvRtLp")
}

fn rand_numeric(args: &[Value]) -> Result {
    placeholder_chars(args, "4827103965")
}

/// Printable ASCII, kept to letters and digits so the placeholder needs no YAML quoting.
fn rand_ascii(args: &[Value]) -> Result {
    placeholder_chars(args, "x7Kq2mW9bN4v")
}

/// Base64 of `count` bytes (zeros).
fn rand_bytes(args: &[Value]) -> Result {
    arity(args, 1)?;
    let count = usize::try_from(want_int(&args[0])?).map_err(|_| "runtime error: makeslice: len out of range")?;
    if count > MAX_OUTPUT / 2 {
        return Err(format!("result longer than {MAX_OUTPUT} bytes"));
    }
    ok(base64::encode(&vec![0u8; count]))
}

/// Always `min`, which is in Sprig's range `[min, max)`.
fn rand_int(args: &[Value]) -> Result {
    arity(args, 2)?;
    let min = want_int(&args[0])?;
    let max = want_int(&args[1])?;
    if max.checked_sub(min).is_none_or(|span| span <= 0) {
        return Err("invalid argument to Intn".into());
    }
    Ok(Value::Int(min))
}

fn uuidv4(args: &[Value]) -> Result {
    arity(args, 0)?;
    ok("00000000-0000-4000-8000-000000000000")
}

/// A bcrypt hash of the right shape (`$2a$10$` and 53 characters); golang.org/x/crypto's
/// length limit is kept.
fn bcrypt_placeholder(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes".into();
    }
    // 22 characters of salt and 31 of hash, from bcrypt's alphabet.
    "$2a$10$snaplintplaceholderhashnotarealbcrypt0123456789ABCDEF".to_owned()
}

fn bcrypt(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(bcrypt_placeholder(s))
}

fn htpasswd(args: &[Value]) -> Result {
    let [user, password] = strs(args)?;
    if user.contains(':') {
        return ok(format!("invalid username: {user}"));
    }
    ok(format!("{user}:{}", bcrypt_placeholder(password)))
}

/// The first of Sprig's templates for the type, each class filled with its first character.
fn derive_password(args: &[Value]) -> Result {
    arity(args, 5)?;
    want_int(&args[0])?;
    let kind = want_str(&args[1])?;
    for arg in &args[2..] {
        want_str(arg)?;
    }
    let template = match kind {
        "maximum" => "anoxxxxxxxxxxxxxxxxx",
        "long" => "CvcvnoCvcvCvcv",
        "medium" => "CvcnoCvc",
        "short" => "Cvcn",
        "basic" => "aaanaaan",
        "pin" => "nnnn",
        other => return ok(format!("cannot find password template {other}")),
    };
    let fill = |c: char| match c {
        'V' | 'A' | 'a' | 'x' => 'A',
        'C' => 'B',
        'v' => 'a',
        'c' => 'b',
        'n' => '0',
        _ => '@',
    };
    ok(template.chars().map(fill).collect::<String>())
}

/// Base64 of an IV and the PKCS#7-padded text's length, as Sprig's AES-CBC output has.
fn encrypt_aes(args: &[Value]) -> Result {
    let [_password, plaintext] = strs(args)?;
    if plaintext.is_empty() {
        return ok("");
    }
    let len = 16 + (plaintext.len() / 16 + 1) * 16;
    if len > MAX_OUTPUT / 2 {
        return Err(format!("result longer than {MAX_OUTPUT} bytes"));
    }
    ok(base64::encode(&vec![0u8; len]))
}

/// The input is checked as Sprig checks it; the plaintext cannot be recovered without AES, so
/// a placeholder as long as the ciphertext minus the IV and one byte of padding.
fn decrypt_aes(args: &[Value]) -> Result {
    let [_password, crypt64] = strs(args)?;
    if crypt64.is_empty() {
        return ok("");
    }
    let crypt = base64::decode(crypt64.as_bytes())?;
    if crypt.len() < 16 {
        let capacity = crypt64.len() / 4 * 3;
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {capacity}"
        ));
    }
    ok("x".repeat((crypt.len() - 16).saturating_sub(1)))
}

// ---- keys and certificates ----

fn pem(kind: &str, body: &str) -> String {
    format!(
        "-----BEGIN {kind}-----\n{}\n-----END {kind}-----\n",
        base64::encode(body.as_bytes())
    )
}

fn placeholder_key(kind: &str) -> String {
    pem(kind, "snaplint placeholder private key: not a real key")
}

fn placeholder_cert() -> String {
    pem(
        "CERTIFICATE",
        "snaplint placeholder certificate: not a real certificate",
    )
}

/// Sprig's `certificate` struct; a map here, so `.Cert` and `.Key` read the same.
fn certificate(cert: String, key: String) -> Value {
    Value::map(BTreeMap::from([
        ("Cert".to_owned(), Value::str(cert)),
        ("Key".to_owned(), Value::str(key)),
    ]))
}

fn gen_private_key(args: &[Value]) -> Result {
    let [kind] = strs(args)?;
    let block = match kind {
        "rsa" => "RSA PRIVATE KEY",
        "dsa" => "DSA PRIVATE KEY",
        "ecdsa" => "EC PRIVATE KEY",
        "ed25519" => "PRIVATE KEY",
        other => return ok(format!("Unknown type {other}")),
    };
    ok(placeholder_key(block))
}

/// A PEM key argument: Sprig fails on input without a PEM block; the key is returned as given
/// (Sprig re-encodes the same key).
fn pem_key(v: &Value) -> std::result::Result<String, String> {
    let key = want_str(v)?;
    if !key.contains("-----BEGIN ") {
        return Err("parsing private key: no PEM data in input".into());
    }
    Ok(key.to_owned())
}

/// A `[]interface{}` parameter; nil is an empty list.
fn want_list(v: &Value) -> std::result::Result<&[Value], String> {
    match v {
        Value::List(items, _) => Ok(items),
        Value::Nil | Value::NoValue => Ok(&[]),
        other => Err(format!(
            "wrong type for value; expected []interface {{}}; got {}",
            other.type_name()
        )),
    }
}

/// `cn`, `ips`, `alternateDNS`, `daysValid` as Sprig's `getBaseCertTemplate` checks them.
fn cert_template_args(args: &[Value]) -> std::result::Result<(), String> {
    want_str(&args[0])?;
    for ip in want_list(&args[1])? {
        let Value::Str(s) = ip else {
            return Err(format!(
                "error parsing ip: {} is not a string",
                crate::helm::value::go_string(ip)
            ));
        };
        if s.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("error parsing ip: {s}"));
        }
    }
    for dns in want_list(&args[2])? {
        if !matches!(dns, Value::Str(_)) {
            let shown = crate::helm::value::go_string(dns);
            return Err(format!("error processing alternate dns name: {shown} is not a string"));
        }
    }
    want_int(&args[3])?;
    Ok(())
}

/// The signing CA: a certificate value whose `Cert` is PEM.
fn want_ca(v: &Value) -> std::result::Result<(), String> {
    let Value::Map(m) = v else {
        return Err(format!(
            "wrong type for value; expected sprig.certificate; got {}",
            v.type_name()
        ));
    };
    let m = m.borrow();
    let cert = m.get("Cert").and_then(Value::as_str).unwrap_or("");
    if !cert.contains("-----BEGIN ") {
        return Err("unable to decode certificate".into());
    }
    Ok(())
}

fn gen_ca(args: &[Value]) -> Result {
    arity(args, 2)?;
    want_str(&args[0])?;
    want_int(&args[1])?;
    Ok(certificate(placeholder_cert(), placeholder_key("RSA PRIVATE KEY")))
}

fn gen_ca_with_key(args: &[Value]) -> Result {
    arity(args, 3)?;
    want_str(&args[0])?;
    want_int(&args[1])?;
    let key = pem_key(&args[2])?;
    Ok(certificate(placeholder_cert(), key))
}

fn gen_self_signed_cert(args: &[Value]) -> Result {
    arity(args, 4)?;
    cert_template_args(args)?;
    Ok(certificate(placeholder_cert(), placeholder_key("RSA PRIVATE KEY")))
}

fn gen_self_signed_cert_with_key(args: &[Value]) -> Result {
    arity(args, 5)?;
    cert_template_args(args)?;
    let key = pem_key(&args[4])?;
    Ok(certificate(placeholder_cert(), key))
}

fn gen_signed_cert(args: &[Value]) -> Result {
    arity(args, 5)?;
    cert_template_args(args)?;
    want_ca(&args[4])?;
    Ok(certificate(placeholder_cert(), placeholder_key("RSA PRIVATE KEY")))
}

fn gen_signed_cert_with_key(args: &[Value]) -> Result {
    arity(args, 6)?;
    cert_template_args(args)?;
    want_ca(&args[4])?;
    let key = pem_key(&args[5])?;
    Ok(certificate(placeholder_cert(), key))
}

/// Deterministic in Sprig too: the decoded certificate and key, once they decode.
fn build_custom_cert(args: &[Value]) -> Result {
    let [cert64, key64] = strs(args)?;
    let cert = base64::decode(cert64.as_bytes()).map_err(|_| "unable to decode base64 certificate")?;
    let key = base64::decode(key64.as_bytes()).map_err(|_| "unable to decode base64 private key")?;
    let (cert, key) = (from_bytes(&cert), from_bytes(&key));
    if !cert.contains("-----BEGIN ") {
        return Err("unable to decode certificate".into());
    }
    if !key.contains("-----BEGIN ") {
        return Err("error parsing private key: no PEM data in input".into());
    }
    Ok(certificate(cert, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::funcs::testing::{i, out_of as call, s};

    #[test]
    fn base64_as_go() {
        assert_eq!(call(b64enc, &[s("héllo")]), "aMOpbGxv");
        assert_eq!(call(b64dec, &[s("aMOpbGxv")]), "héllo");
        let dec = |x: &str| call(b64dec, &[s(x)]);
        assert_eq!(dec("abc"), "illegal base64 data at input byte 0");
        assert_eq!(dec("ab=c"), "illegal base64 data at input byte 2");
        assert_eq!(dec("a==="), "illegal base64 data at input byte 1");
        assert_eq!(dec("ab==x"), "illegal base64 data at input byte 4");
        assert_eq!(dec("ab="), "illegal base64 data at input byte 3");
        assert_eq!(dec("aGk=\naGk="), "illegal base64 data at input byte 5");
        assert_eq!(dec("aG\nk="), "hi");
        assert_eq!(dec("!!!!"), "illegal base64 data at input byte 0");
        assert_eq!(dec(""), "");
        assert_eq!(dec("aGk"), "illegal base64 data at input byte 0");
        for text in ["", "a", "ab", "abc", "abcd", "hello world!"] {
            assert_eq!(dec(&call(b64enc, &[s(text)])), text);
        }
    }

    #[test]
    fn base32_as_go() {
        assert_eq!(call(b32enc, &[s("héllo")]), "NDB2S3DMN4======");
        let dec = |x: &str| call(b32dec, &[s(x)]);
        assert_eq!(dec("NDB2S3DMN4======"), "héllo");
        assert_eq!(dec("NDB2"), "illegal base32 data at input byte 0");
        assert_eq!(dec("MY======MY"), "f");
        assert_eq!(dec("M======="), "illegal base32 data at input byte 1");
        assert_eq!(dec("MY====="), "illegal base32 data at input byte 7");
        assert_eq!(dec("MY==x==="), "illegal base32 data at input byte 3");
        assert_eq!(dec("1Y======"), "illegal base32 data at input byte 0");
        assert_eq!(dec("my======"), "illegal base32 data at input byte 0");
        assert_eq!(dec("MZXW6==="), "foo");
        assert_eq!(dec("MZXW6YQ="), "foob");
        assert_eq!(dec("MZXW6YTB"), "fooba");
        assert_eq!(dec("MZXW6YTBOI======"), "foobar");
        assert_eq!(dec("MZXW"), "illegal base32 data at input byte 0");
        assert_eq!(dec("MZ\nXW6==="), "foo");
    }

    #[test]
    fn checksums() {
        assert_eq!(call(sha1sum, &[s("abc")]), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            call(sha256sum, &[s("abc")]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            call(sha512sum, &[s("abc")]),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(call(adler32sum, &[s("abc")]), "38600999");
        assert_eq!(call(adler32sum, &[s("")]), "1");
        assert_eq!(call(adler32sum, &[s("Wikipedia")]), "300286872");
    }

    #[test]
    fn random_placeholders_have_helms_shape() {
        assert_eq!(call(rand_alpha_num, &[i(5)]).len(), 5);
        assert!(
            call(rand_alpha_num, &[i(40)])
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        );
        assert!(call(rand_alpha, &[i(40)]).chars().all(|c| c.is_ascii_alphabetic()));
        assert!(call(rand_numeric, &[i(40)]).chars().all(|c| c.is_ascii_digit()));
        assert_eq!(call(rand_ascii, &[i(7)]).len(), 7);
        assert_eq!(call(rand_alpha_num, &[i(-1)]), "");
        assert_eq!(call(rand_alpha_num, &[i(0)]), "");
        assert_eq!(call(rand_bytes, &[i(5)]).len(), 8);
        assert_eq!(
            rand_bytes(&[i(-1)]).unwrap_err(),
            "runtime error: makeslice: len out of range"
        );
        assert_eq!(call(rand_int, &[i(5), i(10)]), "5");
        assert_eq!(rand_int(&[i(5), i(5)]).unwrap_err(), "invalid argument to Intn");
        assert_eq!(call(uuidv4, &[]).len(), 36);
        assert_eq!(call(bcrypt, &[s("x")]).len(), 60);
        assert!(call(bcrypt, &[s("x")]).starts_with("$2a$10$"));
        assert_eq!(
            call(bcrypt, &[s(&"x".repeat(80))]),
            "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
        );
        assert_eq!(call(htpasswd, &[s("a:b"), s("x")]), "invalid username: a:b");
        assert!(call(htpasswd, &[s("a"), s("x")]).starts_with("a:$2a$10$"));
        let derived = call(derive_password, &[i(1), s("long"), s("pw"), s("user"), s("site")]);
        assert_eq!(derived.len(), "LurmNaze1,Tomd".len());
        assert_eq!(
            call(derive_password, &[i(1), s("nope"), s("pw"), s("user"), s("site")]),
            "cannot find password template nope"
        );
        assert_eq!(call(encrypt_aes, &[s("k"), s("")]), "");
        assert_eq!(call(encrypt_aes, &[s("k"), s("hello")]).len(), 44);
        assert_eq!(call(decrypt_aes, &[s("k"), s("")]), "");
        assert_eq!(
            decrypt_aes(&[s("k"), s("!!")]).unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            decrypt_aes(&[s("k"), s("eA==")]).unwrap_err(),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
    }

    #[test]
    fn certificates_are_pem_shaped() {
        let ca = gen_ca(&[s("x"), i(3)]).unwrap();
        let Value::Map(m) = &ca else { panic!("not a map") };
        let cert = m.borrow()["Cert"].as_str().unwrap().to_owned();
        let key = m.borrow()["Key"].as_str().unwrap().to_owned();
        assert!(cert.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(cert.ends_with("\n-----END CERTIFICATE-----\n"));
        assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        assert_eq!(call(gen_private_key, &[s("foo")]), "Unknown type foo");
        assert!(call(gen_private_key, &[s("ecdsa")]).starts_with("-----BEGIN EC PRIVATE KEY-----"));
        assert!(call(gen_private_key, &[s("ed25519")]).starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(call(gen_private_key, &[s("dsa")]).starts_with("-----BEGIN DSA PRIVATE KEY----"));
        let ips = Value::list(vec![s("1.2.3.4"), s("nope")]);
        assert_eq!(
            gen_self_signed_cert(&[s("x"), ips, Value::Nil, i(3)]).unwrap_err(),
            "error parsing ip: nope"
        );
        let dns = Value::list(vec![i(1)]);
        assert_eq!(
            gen_self_signed_cert(&[s("x"), Value::Nil, dns, i(3)]).unwrap_err(),
            "error processing alternate dns name: 1 is not a string"
        );
        assert!(gen_self_signed_cert(&[s("x"), s("a"), Value::Nil, i(3)]).is_err());
        assert_eq!(
            gen_ca_with_key(&[s("x"), i(3), s("nokey")]).unwrap_err(),
            "parsing private key: no PEM data in input"
        );
        let ok_ips = Value::list(vec![s("10.0.0.1"), s("::1")]);
        let signed = gen_signed_cert(&[s("x"), ok_ips, Value::Nil, i(3), ca.clone()]).unwrap();
        assert!(matches!(signed, Value::Map(_)));
        let with_key = gen_signed_cert_with_key(&[s("x"), Value::Nil, Value::Nil, i(3), ca, s(&key)]).unwrap();
        let Value::Map(m) = &with_key else { panic!("not a map") };
        assert_eq!(m.borrow()["Key"].as_str(), Some(key.as_str()));
        assert_eq!(
            build_custom_cert(&[s("!!"), s("x")]).unwrap_err(),
            "unable to decode base64 certificate"
        );
        assert_eq!(
            build_custom_cert(&[s("eA=="), s("eA==")]).unwrap_err(),
            "unable to decode certificate"
        );
        let built = build_custom_cert(&[s(&base64::encode(cert.as_bytes())), s(&base64::encode(key.as_bytes()))]);
        let Value::Map(m) = built.unwrap() else {
            panic!("not a map")
        };
        assert_eq!(m.borrow()["Cert"].as_str(), Some(cert.as_str()));
    }
}
